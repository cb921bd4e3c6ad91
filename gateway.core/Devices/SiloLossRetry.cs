using System.Diagnostics;
using System.Runtime.CompilerServices;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// Re-sends a grain call that failed because the grain's silo died or became unreachable. Orleans rejects such a
/// call (<see cref="OrleansMessageRejectionException"/>, <see cref="SiloUnavailableException"/> among them) rather
/// than re-routing it; once membership declares the silo dead, the next call activates the grain on a live silo,
/// restored from its last checkpoint. So the same request is sent again after a short pause, until it is answered
/// or its time budget (for a device frame: what is left of the frame deadline) runs out. An activation whose state
/// read timed out is sent again the same way. Any other failure, and the last such failure after the budget, is
/// thrown to the caller.
/// </summary>
/// <remarks>
/// An external client's request that was on its way through a gateway silo when that silo died is never answered
/// nor rejected: it ends in a <see cref="TimeoutException"/> after <c>ResponseTimeout</c>, and is re-sent too. The
/// request may then have been processed already (a slow reply, not a lost one), so only idempotent calls belong
/// here: <see cref="Abstractions.ISessionGrain.ProcessAsync"/> answers a re-sent frame from its last reply.
/// </remarks>
public static class SiloLossRetry
{
    /// <summary>Failures a dead or unreachable silo causes.</summary>
    public static bool IsSiloLoss(Exception exception) =>
        exception is OrleansMessageRejectionException or ConnectionFailedException or TimeoutException;

    /// <summary>
    /// An activation that failed because its grain storage did not answer in time: Orleans fails the call with an
    /// <see cref="OrleansException"/> around the storage's <see cref="TimeoutException"/> (DynamoDbGrainStorage's read
    /// deadline). The next send starts a new activation, which reads the state again. Seen in CI (2026-12-01): a moved
    /// session's first read timed out on a starved box, and the frame that waited on it was lost instead of re-sent.
    /// </summary>
    public static bool IsStorageTimeout(Exception exception)
    {
        if (exception is not OrleansException) return false;
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
            if (inner is TimeoutException) return true;
        return false;
    }

    /// <summary>
    /// A call cancelled by the runtime, not by the caller: an activation that outlived Orleans' <c>ActivationTimeout</c>
    /// while the cluster recovered from a silo's death ends its queued calls in a <see cref="OperationCanceledException"/>.
    /// The next send starts a new activation.
    /// </summary>
    private static bool IsRuntimeCancellation(Exception exception, CancellationToken cancel) =>
        exception is OperationCanceledException && !cancel.IsCancellationRequested;

    /// <summary>Calls <paramref name="call"/> until it succeeds or fails otherwise; returns the reply and how many sends it took.</summary>
    public static Task<(T Reply, int Attempts)> CallAsync<T>(Func<Task<T>> call, TimeSpan budget, TimeSpan pause, CancellationToken cancel) =>
        CallAsync(static c => c(), call, budget, pause, cancel).AsTask();

    /// <summary>
    /// The same, with the call's arguments in <paramref name="state"/>: a device's frame loop passes a static lambda
    /// and allocates neither a closure nor a delegate per frame, and the state machine comes from a pool (together
    /// ≈ 300 bytes a frame before, 2026-12-01). Await the result once.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<(T Reply, int Attempts)> CallAsync<TState, T>(Func<TState, Task<T>> call, TState state, TimeSpan budget, TimeSpan pause, CancellationToken cancel)
    {
        var started = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await call(state).ConfigureAwait(false), attempt);
            }
            catch (Exception e) when ((IsSiloLoss(e) || IsStorageTimeout(e) || IsRuntimeCancellation(e, cancel)) && Stopwatch.GetElapsedTime(started) + pause < budget)
            {
                await Task.Delay(pause, cancel).ConfigureAwait(false);
            }
        }
    }
}
