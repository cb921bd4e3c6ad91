using AncOrleans.Gateway.Devices;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace AncOrleans.Tests;

/// <summary>The re-send of a grain call that failed because its silo died (no cluster: scripted failures).</summary>
public sealed class SiloLossRetryTests
{
    [Fact]
    public async Task A_call_rejected_for_a_dead_silo_is_sent_again_until_answered()
    {
        var sends = 0;
        var (reply, attempts) = await SiloLossRetry.CallAsync(() =>
            ++sends < 3 ? Task.FromException<int>(new SiloUnavailableException("gone")) : Task.FromResult(42),
            TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Equal(42, reply);
        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Past_the_budget_the_last_failure_is_thrown()
    {
        var sends = 0;
        await Assert.ThrowsAsync<TimeoutException>(() => SiloLossRetry.CallAsync<int>(() =>
        {
            sends++;
            return Task.FromException<int>(new TimeoutException("no response through a dead gateway"));
        }, TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(20), CancellationToken.None));
        Assert.InRange(sends, 2, 4);
    }

    [Fact]
    public async Task A_call_the_runtime_cancelled_is_sent_again_but_not_one_the_caller_cancelled()
    {
        var sends = 0;
        var (reply, attempts) = await SiloLossRetry.CallAsync(() =>
            ++sends < 2 ? Task.FromException<int>(new TaskCanceledException("activation cancelled by the runtime")) : Task.FromResult(7),
            TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Equal((7, 2), (reply, attempts));

        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        sends = 0;
        await Assert.ThrowsAsync<TaskCanceledException>(() => SiloLossRetry.CallAsync<int>(() =>
        {
            sends++;
            return Task.FromException<int>(new TaskCanceledException("the caller gave up"));
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), cancel.Token));
        Assert.Equal(1, sends);
    }

    [Fact]
    public async Task Other_failures_are_not_retried()
    {
        var sends = 0;
        await Assert.ThrowsAsync<ArgumentException>(() => SiloLossRetry.CallAsync<int>(() =>
        {
            sends++;
            return Task.FromException<int>(new ArgumentException("bad frame"));
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), CancellationToken.None));
        Assert.Equal(1, sends);
    }

    [Fact]
    public async Task An_activation_whose_state_read_timed_out_is_sent_again_even_after_the_wire()
    {
        // What a caller gets when a grain's activation failed on a storage read past its deadline: Orleans' wrapper
        // around the storage's TimeoutException, after a trip through Orleans' serializer (as a reply from a silo).
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        Exception Wire(Exception e) => serializer.Deserialize<Exception>(serializer.SerializeToArray(e))!;
        var storageTimeout = Wire(new OrleansException("Error from storage provider session during ReadStateAsync",
            new TimeoutException("DynamoDB read of session/session/x got no answer in 2 calls of 20 s")));
        Assert.True(SiloLossRetry.IsStorageTimeout(storageTimeout), $"{storageTimeout.GetType().Name}: {storageTimeout.InnerException?.GetType().Name}");

        var sends = 0;
        var (reply, attempts) = await SiloLossRetry.CallAsync(() =>
            ++sends < 3 ? Task.FromException<int>(storageTimeout) : Task.FromResult(5),
            TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), CancellationToken.None);
        Assert.Equal((5, 3), (reply, attempts));

        // A storage that failed otherwise (a corrupt record, a refused write) is not a reason to send the frame again.
        sends = 0;
        var corrupt = Wire(new OrleansException("Error from storage provider session during ReadStateAsync",
            new InvalidOperationException("Grain state session/session/x is missing chunk 1 of 2.")));
        Assert.False(SiloLossRetry.IsStorageTimeout(corrupt));
        await Assert.ThrowsAnyAsync<OrleansException>(() => SiloLossRetry.CallAsync<int>(() =>
        {
            sends++;
            return Task.FromException<int>(corrupt);
        }, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), CancellationToken.None));
        Assert.Equal(1, sends);
    }

    [Fact]
    public void A_frame_s_call_that_completes_later_allocates_nothing_once_warm()
    {
        // A device's frame loop: the call's arguments as state and a static lambda, the state machine from a pool. Each
        // call completes after it was started (as a grain call does), on this thread, so every byte is counted here.
        const int calls = 1_000;
        var replies = Enumerable.Range(0, 2 * calls).Select(_ => new TaskCompletionSource<int>()).ToArray();
        long Run(int from)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = from; i < from + calls; i++)
            {
                var pending = SiloLossRetry.CallAsync(static r => r.Task, replies[i], TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1), CancellationToken.None);
                replies[i].SetResult(i);
                if (pending.Result != (i, 1)) Assert.Fail($"call {i}: {pending.Result}"); // Assert.Equal itself allocates
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        // As on the gateway's frame loop: no synchronization context (xUnit's would take every continuation elsewhere).
        var context = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
        long allocated;
        try
        {
            Run(0); // warm: the JIT, the pool's first state machine
            allocated = Run(calls);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
        Assert.True(allocated < calls * 8, $"{allocated} bytes for {calls} calls");
    }
}
