using AncOrleans.Peers;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The foundation issue's clean-mode target against the peers in the same run (needs libspeexdsp1).</summary>
public sealed class PeerComparisonTests(ITestOutputHelper output)
{
    [Fact]
    public void Clean_mode_broadband_hybrid_beats_both_peers_in_depth_and_convergence()
    {
        var scene = Scenarios.Create("broadband", 48_000, 10, 0);
        var settings = new AncSettings { Mode = CancellerMode.Clean, Algorithm = AdaptiveAlgorithm.Hybrid };
        EvalResult Run(ICleanCanceller canceller)
        {
            using (canceller)
            {
                var r = AncEvaluation.RunClean(scene, canceller, settings);
                output.WriteLine($"clean broadband {r.Peer ?? r.Algorithm}: {r.ReductionDb:0.00} dB, convergence {r.ConvergenceMs} ms");
                return r;
            }
        }
        var ours = Run(new OursClean(settings));
        var nwaves = Run(new NWavesNlmsPeer(512));
        var speex = Run(new SpeexMdfPeer(48_000, 480, 512));
        Assert.True(ours.ReductionDb >= nwaves.ReductionDb && ours.ReductionDb >= speex.ReductionDb);
        Assert.True(ours.ConvergenceMs <= nwaves.ConvergenceMs && ours.ConvergenceMs <= speex.ConvergenceMs);
    }
}
