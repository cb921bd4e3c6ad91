using AncOrleans.Abstractions;
using Microsoft.Extensions.Logging;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Sends a session's <see cref="FeatureBatch"/>es to its emergency grain without holding up its replies, and that
/// grain's <see cref="ClassifierWindow"/>s to the classifier grain without holding up its detection (<typeparamref name="T"/>). The listener may live on another silo; if that silo dies, a call already on its way is
/// answered only when membership declares the silo dead (seconds later), so frames only enqueue here and one pump,
/// running on the grain's scheduler, sends the batches in order, one call at a time. The emergency grain forwards
/// windows through a publisher of its own, so a slow classifier backend never delays the emergency detector (and no
/// call chain waits on itself: session → emergency, emergency ⇢ classifier → session). At most <c>capacity</c> items
/// wait (1 s at 100 ms per batch, 10 s of classifier windows); past that the oldest are dropped. A failed call drops its batch; both are counted
/// and logged once per outage. The listeners tolerate the gap. Nothing is kept once a call has returned: memory is
/// bounded by <c>capacity</c> batches per session and listener, whatever the run time. <c>delivered</c>, if given, is
/// told of each item whose call returned (the session gives the batch's array back to its batcher); a dropped or failed
/// item is not (a call that failed may still be reading it).
/// </summary>
internal sealed class FeaturePublisher<T>(Func<T, Task> send, string sessionId, string listener, ILogger logger, int capacity = 10, Action<T>? delivered = null)
{
    private readonly Queue<T> _pending = new();
    private bool _pumping;
    private TaskCompletionSource? _drained;                   // made only when someone waits for the pump (DrainAsync)
    private long _lost;                                       // batches dropped or failed since the last successful call

    /// <summary>Batches dropped (queue full) or whose call failed, since activation.</summary>
    public long Unpublished { get; private set; }

    /// <summary>Queues one batch (or window); returns at once.</summary>
    public void Publish(T batch)
    {
        if (_pending.Count >= capacity)
        {
            _pending.Dequeue();
            Lose("queue full");
        }
        _pending.Enqueue(batch);
        if (_pumping) return;
        // The pump's task is not kept: a field of this long-lived object set to a new task for every batch (10 a second
        // per session) is an old-to-young reference in each gen-0 collection. With FusedEmergencyDetector's copies, 400
        // edge devices' gen-0 pauses fell from 9.8 to 8.2 ms (docs/measurements/benchmarks.md, nineteenth session).
        _pumping = true;
        _ = PumpAsync();
    }

    /// <summary>Waits for what is queued to be sent, at most <paramref name="timeout"/>.</summary>
    public Task DrainAsync(TimeSpan timeout)
    {
        if (!_pumping) return Task.CompletedTask;
        _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _drained.Task.WaitAsync(timeout).ContinueWith(_ => { }, TaskScheduler.Current);
    }

    private async Task PumpAsync()
    {
        try
        {
            while (_pending.TryDequeue(out var batch))
            {
                try
                {
                    await send(batch);
                    delivered?.Invoke(batch);
                    if (_lost > 0) logger.LogInformation("Session {Session}: {Listener} reachable again after {Count} unsent feature batches", sessionId, listener, _lost);
                    _lost = 0;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Lose(e.GetType().Name);
                }
            }
        }
        finally
        {
            _pumping = false;
            _drained?.TrySetResult();
            _drained = null;
        }
    }

    private void Lose(string reason)
    {
        Unpublished++;
        if (_lost++ == 0) logger.LogWarning("Session {Session}: features not sent to the {Listener} ({Reason}); replies go on without them", sessionId, listener, reason);
    }
}
