using System.Threading.Channels;
using AncOrleans.Gateway.Devices;

namespace AncOrleans.Tests;

/// <summary>
/// A device queue's reader: cancellation still reads what was queued. (What it saves, a channel waiter per reply, is
/// measured through the gateway, docs/measurements/benchmarks.md: a unit test could not separate the reader's
/// allocations from the test run's own.)
/// </summary>
public sealed class ChannelDrainingTests
{
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
