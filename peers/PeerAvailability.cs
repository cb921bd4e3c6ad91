namespace AncOrleans.Peers;

/// <summary>
/// Which peers can run on this machine. A peer built on a native library (SpeexDSP's MDF on libspeexdsp) is skipped
/// where the library cannot be loaded, with one line naming it and how to install it; the rest of the run goes on.
/// </summary>
/// <param name="unavailable">Why a peer cannot run here, with how to install what it needs; null if it can.</param>
public sealed class PeerAvailability(Func<string, string?> unavailable)
{
    /// <summary>This machine: <c>speexdsp-mdf</c> needs libspeexdsp; every other peer is managed code.</summary>
    public static PeerAvailability OnThisMachine { get; } = new(peer =>
        peer == SpeexMdfPeer.PeerName && !SpeexMdfPeer.IsAvailable() ? SpeexMdfPeer.MissingLibrary : null);

    /// <summary>
    /// <paramref name="items"/> without those whose peer (<paramref name="peerOf"/>; null for ours) cannot run here.
    /// Each skipped peer gets one line on <paramref name="log"/>: <c>{tool}: skipped peer {name}: {reason}</c>.
    /// </summary>
    public List<T> Runnable<T>(IEnumerable<T> items, Func<T, string?> peerOf, TextWriter log, string tool)
    {
        var reasons = new Dictionary<string, string?>();
        var runnable = new List<T>();
        foreach (var item in items)
        {
            if (peerOf(item) is { } peer)
            {
                if (!reasons.TryGetValue(peer, out var reason))
                {
                    reason = reasons[peer] = unavailable(peer);
                    if (reason is not null) log.WriteLine($"{tool}: skipped peer {peer}: {reason}");
                }
                if (reason is not null) continue;
            }
            runnable.Add(item);
        }
        return runnable;
    }
}
