using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Device;
using AncOrleans.Grains;

namespace AncOrleans.Gateway;

/// <summary>
/// The warm-up's rehearsal: <see cref="GatewayOptions.WarmupDevices"/> devices on the gateway's own WebSocket at once,
/// each streaming real-time 10 ms frames for <see cref="GatewayOptions.WarmupSeconds"/>, then disconnecting; the
/// caller ends their sessions and revokes their keys.
/// <para>
/// Why: one warm-up device at a time runs every method of a frame's path, but the tiered JIT re-compiles a method
/// only after ~30 calls, and much of the path runs once per session, not per frame — the three grains' activations
/// (placement, state reads), a connection's loops and its per-second <c>stats</c> event. A gateway warmed by one device
/// re-compiled ≈ 3,300 methods in the first 2 s of its first 60 devices (p99 20–70 ms there, 3–7 ms once compiled;
/// docs/measurements/benchmarks.md, "Tenth session"). Concurrent devices also run the paths a lone one never does
/// (a queue that is not empty, a busy worker).
/// </para>
/// </summary>
public static class WarmupRehearsal
{
    private const int FramesInLoop = 100; // 1 s of audio, looped

    /// <summary>
    /// Devices that started (one that fails to connect or start is skipped), of them in edge mode; antinoise frames sent
    /// and answered; edge frames sent (edge mode answers with coefficient sets, not per frame).
    /// </summary>
    public readonly record struct Result(int Devices, int EdgeDevices, long Sent, long Answered, long EdgeSent)
    {
        public static Result operator +(Result a, Result b) =>
            new(a.Devices + b.Devices, a.EdgeDevices + b.EdgeDevices, a.Sent + b.Sent, a.Answered + b.Answered, a.EdgeSent + b.EdgeSent);
    }

    /// <summary>Every other device runs edge mode (its warm start, the coefficient sets), the rest antinoise.</summary>
    public static async Task<Result> RunAsync(Uri server, IReadOnlyList<(string Id, string Key)> devices, TimeSpan length, CancellationToken cancel)
    {
        var pcm = Enumerable.Range(0, FramesInLoop).Select(WarmupAudio.Pcm).ToArray();
        long answered = 0;
        // Connected and started a few at a time (each start writes the session's first checkpoint), then all stream at once.
        using var gate = new SemaphoreSlim(8);
        var links = await Task.WhenAll(devices.Select(async (d, i) =>
        {
            await gate.WaitAsync(cancel);
            try { return await StartAsync(server, d.Id, d.Key, edge: i % 2 == 1, () => Interlocked.Increment(ref answered), cancel); }
            finally { gate.Release(); }
        }));
        var live = links.Where(l => l.Link is not null).Select(l => (Link: l.Link!, l.Edge)).ToArray();
        long sent = 0, edgeSent = 0;
        try
        {
            // Every 10 ms each device sends its next frame (the sequence runs on across the loop of audio).
            using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
            var total = (int)(length.TotalMilliseconds / 10);
            for (var f = 0; f < total && live.Length > 0 && await tick.WaitForNextTickAsync(cancel); f++)
            {
                var audio = new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, (uint)f, f * 10_000L, WarmupAudio.FrameSamples, WarmupAudio.Rate, pcm[f % FramesInLoop]);
                // Edge frames carry the device's filter version: 0, the device never applies a set (nothing plays).
                var bytes = audio.ToBytes();
                var edgeBytes = (audio with { Type = WireFrame.EdgeAudio }).ToBytes();
                foreach (var (link, edge) in live)
                {
                    await link.SendBinaryAsync(edge ? edgeBytes : bytes, cancel);
                    if (edge) edgeSent++;
                    else sent++;
                }
            }
            // The last replies: the deadline is 40 ms.
            await Task.Delay(100, cancel);
        }
        finally
        {
            await Task.WhenAll(live.Select(l => l.Link.DisposeAsync().AsTask()));
        }
        return new Result(live.Length, live.Count(l => l.Edge), sent, Interlocked.Read(ref answered), edgeSent);
    }

    /// <summary>A warm-up device's start message: the warm-up audio's format, 512 taps, antinoise (D = 20 ms) or edge.</summary>
    public static ControlMessage Start(bool edge) => new()
    {
        Type = "start", SampleRate = WarmupAudio.Rate, FrameSamples = WarmupAudio.FrameSamples, Format = "int16", Channels = ["reference", "error"],
        Mode = edge ? "edge" : "antinoise", DelayMs = 20, FilterLength = 512, UpdateMs = edge ? 100 : null,
    };

    private static async Task<(DeviceLink? Link, bool Edge)> StartAsync(Uri server, string id, string key, bool edge, Action answered, CancellationToken cancel)
    {
        WebSocketLink? link = null;
        try
        {
            link = await WebSocketLink.ConnectAsync(server, id, key, cancel);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            link.Received = (message, text) =>
            {
                if (!text)
                {
                    if (!edge) answered(); // an edge device's binary messages are coefficient sets
                }
                else if (ControlMessage.TryParse(message.Span, out var control, out _) && control?.Type == "started") started.TrySetResult();
            };
            await link.SendTextAsync(Start(edge).ToUtf8(), cancel);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10), cancel);
            return (link, edge);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
        {
            if (link is not null) await link.DisposeAsync();
            return (null, edge);
        }
    }
}
