using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Logging.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The session's queue of feature batches to its listener grain: order, drops, and waiting for it to drain.</summary>
public sealed class FeaturePublisherTests
{
    [Fact]
    public async Task Batches_are_sent_in_order_one_call_at_a_time_and_drain_waits_for_the_last()
    {
        var sent = new List<int>();
        var calls = new Queue<TaskCompletionSource>();
        var publisher = new FeaturePublisher<int>(batch =>
        {
            sent.Add(batch);
            var call = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            calls.Enqueue(call);
            return call.Task;
        }, "s", "test listener", NullLogger.Instance);

        Assert.True(publisher.DrainAsync(TimeSpan.FromSeconds(1)).IsCompleted); // nothing queued: nothing to wait for
        publisher.Publish(1);
        publisher.Publish(2);
        publisher.Publish(3);
        Assert.Equal([1], sent); // one call in flight; the others wait behind it
        var drained = publisher.DrainAsync(TimeSpan.FromSeconds(10));
        Assert.False(drained.IsCompleted);
        while (calls.TryDequeue(out var call))
        {
            call.SetResult();
            await WaitUntilAsync(() => calls.Count > 0 || drained.IsCompleted);
        }
        await drained;
        Assert.Equal([1, 2, 3], sent);

        // The pump ended with the queue; the next batch starts it again.
        publisher.Publish(4);
        Assert.Equal([1, 2, 3, 4], sent);
        calls.Dequeue().SetResult();
        await publisher.DrainAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, publisher.Unpublished);
    }

    [Fact]
    public async Task A_full_queue_drops_its_oldest_and_a_failed_call_is_counted_not_retried()
    {
        var sent = new List<int>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publisher = new FeaturePublisher<int>(async batch =>
        {
            sent.Add(batch);
            await gate.Task;
            if (batch == 5) throw new InvalidOperationException("listener failed");
        }, "s", "test listener", NullLogger.Instance, capacity: 2);

        for (var i = 1; i <= 5; i++) publisher.Publish(i); // 1 in flight; 2 and 3 dropped as 4 and 5 arrive
        gate.SetResult();
        await publisher.DrainAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 4, 5], sent);
        Assert.Equal(3, publisher.Unpublished); // two dropped, one failed
    }

    [Fact]
    public async Task Drain_gives_up_after_its_timeout_while_a_call_hangs()
    {
        var publisher = new FeaturePublisher<int>(_ => new TaskCompletionSource().Task, "s", "test listener", NullLogger.Instance);
        publisher.Publish(1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await publisher.DrainAsync(TimeSpan.FromMilliseconds(100)); // completes (it does not throw) once the time is up
        Assert.InRange(clock.ElapsedMilliseconds, 90, 5_000);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1_000 && !condition(); i++) await Task.Delay(5);
    }
}
