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

    [Fact]
    public async Task A_solve_waits_while_frames_wait_for_a_thread_but_not_for_ever()
    {
        var busy = true;
        var original = WarmStartQueue.Busy;
        WarmStartQueue.Busy = () => Volatile.Read(ref busy);
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var held = WarmStartQueue.Enqueue(() => clock.Elapsed);
            await Task.Delay(60);
            var freed = clock.Elapsed;
            Volatile.Write(ref busy, false);
            var ranAt = await held.WaitAsync(TimeSpan.FromSeconds(10));
            // It started once the frames were served — or, on a machine so slow that the delay outlasted MaxDefer, at
            // MaxDefer; never while they waited and its deadline had not passed.
            Assert.True(ranAt >= freed || ranAt >= WarmStartQueue.MaxDefer - TimeSpan.FromMilliseconds(20), $"ran at {ranAt.TotalMilliseconds} ms, frames served at {freed.TotalMilliseconds} ms");

            Volatile.Write(ref busy, true); // a silo that is never idle still gets its solves, MaxDefer late
            clock.Restart();
            var late = await WarmStartQueue.Enqueue(() => clock.Elapsed).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(late >= WarmStartQueue.MaxDefer - TimeSpan.FromMilliseconds(20), $"ran after {late.TotalMilliseconds} ms");
        }
        finally
        {
            WarmStartQueue.Busy = original;
        }
    }
}
