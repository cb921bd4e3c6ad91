using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp;
using AncOrleans.Grains.Recordings;

namespace AncOrleans.Tests;

/// <summary>What the analytics and recordings add to the per-frame path allocates nothing.</summary>
public sealed class PerFrameAllocationTests
{
    [Fact]
    public void Recording_a_frame_and_counting_its_latency_allocate_nothing_between_chunks()
    {
        // Warmed up through the same method on a recorder of its own for as many frames as are measured, so that the
        // JIT's work (tier-up, on-stack replacement, which can allocate on this thread) is done before the measurement.
        var analytics = new AncOrleans.Gateway.Analytics.SessionAnalytics("d", DateTime.UtcNow);
        var noise = new float[480];
        var residual = new float[480];
        Frames(new SessionRecorder("w", DateTime.UtcNow, 48_000, 48_000 * 10), analytics, noise, residual);
        var recorder = new SessionRecorder("d", DateTime.UtcNow, 48_000, 48_000 * 10);
        recorder.Add(noise, residual);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var chunks = Frames(recorder, analytics, noise, residual);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, chunks);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void The_edge_cloud_allocates_nothing_for_a_frame_that_sends_no_set()
    {
        // Converged edge session on hum, the device applying each set: after 6 s, every frame that returns no set
        // must allocate nothing (a closure in the warm start's per-sample collector once cost 40 bytes a sample).
        var scene = Scenarios.Create("hum", 48_000, 8, 40);
        var cloud = new EdgeCanceller(new EdgeSettings { SecondaryPath = scene.SecondaryPath });
        var device = new EdgeFilter(cloud.Length);
        var secondary = new FirFilter(scene.SecondaryPath);
        var (y, heard, e) = (new float[480], new float[480], new float[480]);
        var scratch = new float[480 + scene.SecondaryPath.Length];
        long quietFrames = 0, quietBytes = 0;
        for (var start = 0; start + 480 <= scene.Length; start += 480)
        {
            var x = scene.Reference.AsSpan(start, 480);
            var tag = new EdgeTag(device.Version, device.FadingFrom, device.FadeElapsed);
            device.Process(x, y);
            secondary.ProcessBlock(y, heard, scratch);
            for (var i = 0; i < 480; i++) e[i] = scene.Disturbance[start + i] + heard[i];
            var before = GC.GetAllocatedBytesForCurrentThread();
            var set = cloud.Process(x, e, tag);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (set is not null) device.Apply(set.Version, set.Taps, set.CrossfadeSamples);
            else if (start >= 6 * 48_000)
            {
                quietFrames++;
                quietBytes += allocated;
            }
        }
        Assert.True(quietFrames > 50, $"{quietFrames} frames without a set");
        Assert.Equal(0, quietBytes);
    }

    [Fact]
    public void An_edge_cloud_s_first_frame_allocates_only_its_first_set()
    {
        // Sessions that start together paid their frame buffers in their first frame (400 edge devices: 45 MB in the
        // first 100 ms of audio), then kept them (≈ 100 KB a session). A frame's buffers are now the thread's scratch,
        // shared by every session it serves: a new session's first 100 ms frame makes nothing of its own.
        var scene = Scenarios.Create("hum", 48_000, 1, 40);
        var settings = new EdgeSettings { SecondaryPath = scene.SecondaryPath, WarmStartMs = 0 };
        long FirstFrame()
        {
            var cloud = new EdgeCanceller(settings);
            var x = scene.Reference.AsSpan(0, 4_800);
            var e = scene.Disturbance.AsSpan(0, 4_800);
            var before = GC.GetAllocatedBytesForCurrentThread();
            cloud.Process(x, e, EdgeTag.Steady(0));
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        FirstFrame(); // the JIT's own, and this thread's scratch
        Assert.InRange(FirstFrame(), 0, 4_096); // the first set it sends (2 KB of taps and its record), nothing else
        Assert.Equal(0, FrameScratch.InUse);
    }

    [Fact]
    public void The_edge_cloud_reuses_a_forgotten_sets_taps()
    {
        // Broadband, a set every 10 ms: well past the 64 sets the canceller keeps. A set sent after that takes the taps
        // array of one it forgot (no 2 KB array per set), and no set it still holds shares its taps with another.
        var scene = Scenarios.Create("broadband", 48_000, 4, 40);
        var cloud = new EdgeCanceller(new EdgeSettings { SecondaryPath = scene.SecondaryPath, UpdateMs = 10, WarmStartMs = 0 });
        var e = new float[480];
        var sets = new List<CoefficientSet>();
        long lateBytes = 0;
        var lateSets = 0;
        for (var start = 0; start + 480 <= scene.Length; start += 480)
        {
            scene.Disturbance.AsSpan(start, 480).CopyTo(e); // nothing played (version 0): e is the noise itself
            var before = GC.GetAllocatedBytesForCurrentThread();
            var set = cloud.Process(scene.Reference.AsSpan(start, 480), e, EdgeTag.Steady(0));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (set is null) continue;
            sets.Add(set);
            if (sets.Count > 80)
            {
                lateSets++;
                lateBytes += allocated;
            }
        }
        Assert.True(lateSets > 20, $"{sets.Count} sets in all");
        Assert.True(lateBytes < lateSets * cloud.Length * sizeof(float) / 4, $"{lateBytes} bytes for {lateSets} sets");
        var held = sets.Where(s => cloud.Set(s.Version) is not null).ToArray();
        Assert.Equal(64, held.Length);
        Assert.Equal(held.Length, held.Select(s => s.Taps).Distinct(ReferenceEqualityComparer.Instance).Count());
        Assert.Contains(sets, s => cloud.Set(s.Version) is null && held.Any(h => ReferenceEquals(h.Taps, s.Taps)));
    }

    [Fact]
    public void An_antinoise_frame_allocates_only_its_reply_record_once_replies_are_given_back()
    {
        // The gateway gives each anti-noise reply's array back once the WebSocket has sent it (ReplyBuffers); the
        // session's steady frame then allocates its reply's record and nothing else (the array was 2 KB a frame:
        // half of what an antinoise gateway allocated). 432 samples: a length no other test's session uses, so that
        // no parallel test takes the arrays given back here.
        const int samples = 432;
        var scene = Scenarios.Create("hum", 48_000, 4, 20);
        var pipeline = new AncOrleans.Grains.Sessions.SessionPipeline("alloc", new AncOrleans.Grains.Sessions.SessionGrainOptions(), new AncOrleans.Grains.Sessions.SessionCheckpoint());
        pipeline.Configure(new AncOrleans.Abstractions.SessionConfig(FrameSamples: samples, SecondaryPath: scene.SecondaryPath));
        var frames = Enumerable.Range(0, scene.Length / samples).Select(n => new AncOrleans.Abstractions.AudioFrame(n, n * 9_000L, 48_000, AncOrleans.Abstractions.SampleFormat.Float32, samples,
            AncOrleans.Abstractions.Protocol.FrameCodec.EncodeStereo(scene.Reference.AsSpan(n * samples, samples), scene.Disturbance.AsSpan(n * samples, samples), AncOrleans.Abstractions.SampleFormat.Float32))).ToArray();
        long steadyBytes = 0;
        var steadyFrames = 0;
        foreach (var frame in frames)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var reply = pipeline.Process(frame, null, out _);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(reply.Accepted, reply.Error);
            AncOrleans.Abstractions.Protocol.ReplyBuffers.Shared.Give(reply.Message);
            if (frame.Sequence < frames.Length / 2) continue;
            steadyFrames++;
            steadyBytes += allocated;
        }
        Assert.True(steadyBytes <= steadyFrames * 128L, $"{steadyBytes} bytes in {steadyFrames} frames");
    }

    /// <summary>9 s of frames (within the first 10 s chunk); returns the chunks completed.</summary>
    private static int Frames(SessionRecorder recorder, AncOrleans.Gateway.Analytics.SessionAnalytics analytics, float[] noise, float[] residual)
    {
        var chunks = 0;
        for (var i = 0; i < 900; i++)
        {
            if (recorder.Add(noise, residual) is not null) chunks++;
            analytics.Answered(1.5 + i % 7);
        }
        return chunks;
    }
}
