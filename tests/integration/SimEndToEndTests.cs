using AncOrleans.Cli.Sim;
using AncOrleans.Acoustics.Scenes;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary><c>anc sim</c>'s device against the real gateway: the acoustic loop closed over a real WebSocket.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SimEndToEndTests(GatewayFixture gateway, ITestOutputHelper output)
{
    [Fact]
    public async Task A_simulated_headset_hears_hum_cancelled_over_the_websocket()
    {
        var id = "sim-e2e-" + Guid.NewGuid().ToString("N")[..8];
        var device = new SimDevice(id, Scenarios.Create("hum", 48_000, 12, 20), 20, "hybrid");
        var key = await gateway.ProvisionAsync(id);
        // This process's GCs over the run, for a failure to name: the gateway, the device and other test classes share it.
        var (pause, full) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2));
        var origin = System.Diagnostics.Stopwatch.GetTimestamp();
        using var freezes = new FreezeWatch();
        await device.RunAsync(gateway.BaseUrl, key, 12, CancellationToken.None);
        var gcs = $"GC over the run: {(GC.GetTotalPauseDuration() - pause).TotalMilliseconds:0} ms paused, {GC.CollectionCount(2) - full} gen-2 collections; " +
            freezes.Describe(origin);
        var report = SimReport.From(device);
        output.WriteLine(report.ToString());
        output.WriteLine(gcs);
        Assert.Equal(1200, report.FramesSent);
        // Real time, on a 2-core CI machine with the gateway, the device and other test classes in one process: late
        // replies (the device then plays silence and its ear hears the noise alone) must stay ≤ 5 % of the frames,
        // not counting one stall of ≤ 1.5 s — one run of consecutive late frames. CI and this machine have each shown
        // one such run in a passing-quality session (62, 75 and 96 frames; once during a freeze of the whole process,
        // once with the device's own pacing behind while round trips stayed ≤ 14 ms): the output names every run,
        // with the process freezes and thread-pool stalls FreezeWatch saw, so a stall that recurs is found. Lateness
        // spread over the run, two stalls, or one longer than 1.5 s fails. Latency itself is measured by the
        // benchmarks (infra/local/cold-start.sh, readme-first-run.sh; docs/measurements/benchmarks.md).
        var late = device.LateFrames;
        var stall = Runs(late).Select(r => r.Count).DefaultIfEmpty(0).Max();
        var excused = stall <= 150 ? stall : 0;
        output.WriteLine(device.DescribeLateFrames() ?? "no late frames");
        output.WriteLine($"late: {LateRuns(late)}; {late.Count(f => freezes.Overlaps(f.SentAt, f.ArrivedAt))} of them during or right after a process freeze; one stall excused: {excused} frames");
        Assert.True(report.FramesLost + report.FramesLate - excused <= 60,
            $"{report.FramesLost} lost, {report.FramesLate} late ({excused} excused as one stall): {LateRuns(late)}; {gcs}");
        // The canceller's own figure: the steady-state frames in which all the anti-noise due was played (29.8 dB in a
        // quiet run; the same closed loop in-process, `anc eval`'s scene, gives 29.76).
        Assert.True(report.ReductionWhenPlayedDb >= 25, $"{report.ReductionWhenPlayedDb:0.0} dB over frames played in full");
        // Everything the ear heard, unplayed frames included. At ~30 dB one unplayed frame (the noise alone for 10 ms)
        // in the 3 s steady window costs ~5 dB, so this says the loop cancels (≥ 6 dB) — or, when the excused stall
        // silenced the speaker, at least that it never makes the noise louder.
        Assert.True(report.ReductionDb >= (excused > 0 ? 0 : 6), $"{report.ReductionDb:0.0} dB; {gcs}");
        // the classifier grain named the noise (5–10 s in with the issue-12 model: the hysteresis), and the event came back over the WebSocket
        Assert.Equal("hum", report.Noise);
        Assert.Equal(0, report.Alerts);
    }

    // Runs of consecutive late frames (gaps of at most one frame), as index ranges into the list.
    private static List<(int First, int Count)> Runs(IReadOnlyList<(long Sequence, double RoundTripMs, long SentAt, long ArrivedAt)> late)
    {
        var runs = new List<(int, int)>();
        for (var i = 0; i < late.Count;)
        {
            var j = i;
            while (j + 1 < late.Count && late[j + 1].Sequence <= late[j].Sequence + 2) j++;
            runs.Add((i, j - i + 1));
            i = j + 1;
        }
        return runs;
    }

    // Where the late replies fell: runs of consecutive frames as "from–to s (n, max round trip ms)", so a failure says
    // whether it was one stall (and when) or lateness spread over the run.
    private static string LateRuns(IReadOnlyList<(long Sequence, double RoundTripMs, long SentAt, long ArrivedAt)> late)
    {
        var runs = Runs(late).Select(r =>
        {
            var (first, last) = (late[r.First], late[r.First + r.Count - 1]);
            var worst = late.Skip(r.First).Take(r.Count).Max(f => f.RoundTripMs);
            return $"{first.Sequence / 100.0:0.00}–{last.Sequence / 100.0:0.00} s ({r.Count}, max {worst:0} ms)";
        }).ToList();
        return runs.Count == 0 ? "none" : string.Join("; ", runs);
    }
}
