using AncOrleans.Dsp;

namespace AncOrleans.Tests;

public sealed class WarmStartQueueTests
{
    [Fact]
    public async Task Solves_run_one_at_a_time_in_the_order_queued_and_a_failure_reaches_its_own_caller()
    {
        var running = 0;
        var overlapped = false;
        var order = new List<int>();
        var jobs = Enumerable.Range(0, 8).Select(i => WarmStartQueue.Enqueue(() =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            Thread.Sleep(5);
            lock (order) order.Add(i);
            Interlocked.Decrement(ref running);
            return i;
        })).ToArray();
        var failing = WarmStartQueue.Enqueue<int>(() => throw new InvalidOperationException("bad record"));
        Assert.Equal(Enumerable.Range(0, 8), await Task.WhenAll(jobs));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.False(overlapped);
        Assert.Equal(Enumerable.Range(0, 8), order);
    }
}
