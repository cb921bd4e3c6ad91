using AncOrleans.Gateway.Devices;
using Orleans.Runtime;

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
}
