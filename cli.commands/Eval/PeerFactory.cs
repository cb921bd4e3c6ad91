using AncOrleans.Peers;
using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Cli.Eval;

/// <summary>The peers measured beside ours in clean mode: NWaves NLMS and SpeexDSP's MDF.</summary>
internal static class PeerFactory
{
    public static readonly IReadOnlyList<string> Names = [NWavesNlmsPeer.PeerName, SpeexMdfPeer.PeerName];

    public static ICleanCanceller Create(string name, int sampleRate, int filterLength) => name switch
    {
        NWavesNlmsPeer.PeerName => new NWavesNlmsPeer(filterLength),
        SpeexMdfPeer.PeerName => new SpeexMdfPeer(sampleRate, sampleRate / 100, filterLength),
        _ => throw new ArgumentException($"Unknown peer '{name}'. Known: {string.Join(", ", Names)}."),
    };
}
