using AncOrleans.Grains.Recordings;

namespace AncOrleans.Tests;

/// <summary>What the analytics and recordings add to the per-frame path allocates nothing.</summary>
public sealed class PerFrameAllocationTests
{
    [Fact]
    public void Recording_a_frame_and_counting_its_latency_allocate_nothing_between_chunks()
    {
        var recorder = new SessionRecorder("d", DateTime.UtcNow, 48_000, 48_000 * 10);
        var analytics = new AncOrleans.Gateway.Analytics.SessionAnalytics("d", DateTime.UtcNow);
        var noise = new float[480];
        var residual = new float[480];
        for (var i = 0; i < 10; i++)
        {
            recorder.Add(noise, residual);
            analytics.Answered(1.5);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 900; i++) // 9 s: within the first 10 s chunk
        {
            Assert.Null(recorder.Add(noise, residual));
            analytics.Answered(1.5 + i % 7);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
