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
