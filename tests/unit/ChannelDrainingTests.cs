using System.Threading.Channels;
using AncOrleans.Gateway.Devices;

namespace AncOrleans.Tests;

/// <summary>A device queue's reader: no allocation per wait, and cancellation that still reads what was queued.</summary>
public sealed class ChannelDrainingTests
{
    [Fact]
    public async Task Waiting_for_each_item_allocates_nothing_per_item()
    {
        // The reader waits on an empty queue before every item, as the reply loop does between frames. Before, a wait
        // with a cancellable token allocated its own waiter each time (≈ 100 bytes an item).
        const int items = 20_000;
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(8) { SingleReader = true });
        using var cts = new CancellationTokenSource();
        var read = 0;
        var reader = Task.Run(async () =>
        {
            await foreach (var item in channel.DrainAsync(cts.Token))
                if (Interlocked.Increment(ref read) == items) break;
        });
        for (var i = 0; i < 100; i++) // warm: the JIT, the iterator
        {
            Assert.True(channel.Writer.TryWrite(i));
            while (Volatile.Read(ref read) != i + 1) Thread.SpinWait(20); // (a lambda here would allocate per item)
        }
        var before = GC.GetTotalAllocatedBytes(precise: true);
        for (var i = 100; i < items; i++)
        {
            Assert.True(channel.Writer.TryWrite(i));
            while (Volatile.Read(ref read) != i + 1) Thread.SpinWait(20); // (a lambda here would allocate per item)
        }
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        // The whole process counts (the test runner too): a bound far below the ≈ 2 MB the cancellable waits made.
        Assert.True(allocated < 200_000, $"{allocated} bytes for {items - 100} items");
    }

    [Fact]
    public async Task Cancelling_reads_what_was_queued_then_ends_with_cancellation()
    {
        var channel = Channel.CreateUnbounded<int>();
        using var cts = new CancellationTokenSource();
        channel.Writer.TryWrite(1);
        channel.Writer.TryWrite(2);
        var seen = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in channel.DrainAsync(cts.Token))
            {
                seen.Add(item);
                if (item == 1) await cts.CancelAsync();
            }
        });
        Assert.Equal([1, 2], seen);
        Assert.False(channel.Writer.TryWrite(3)); // the queue is completed: its writer refuses more
    }
}
