using AncOrleans.Abstractions;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Publishes a session's per-frame features without holding up its replies. A publish is a call to the stream's
/// queue, which may live on another silo; if that silo dies, a publish already on its way is answered only when
/// membership declares the silo dead (seconds later), and awaiting it inside <c>ProcessAsync</c> stalled every
/// session whose queue lived there. So frames only enqueue their features here; one pump, running on the grain's
/// scheduler, publishes them in order, one batch at a time. At most <c>capacity</c> wait (1 s of frames by default);
/// past that the oldest are dropped. A failed publish drops its batch; both are counted and logged once per outage.
/// The emergency detector, the consumer, tolerates the gap.
/// </summary>
internal sealed class FeaturePublisher(IAsyncStream<FrameFeatures> stream, string sessionId, ILogger logger, int capacity = 100)
{
    private readonly Queue<FrameFeatures> _pending = new();
    private Task _pump = Task.CompletedTask;
    private long _lost;                                       // dropped or failed since the last successful publish

    /// <summary>Features dropped (queue full) or whose publish failed, since activation.</summary>
    public long Unpublished { get; private set; }

    /// <summary>Queues one frame's features; returns at once.</summary>
    public void Publish(FrameFeatures features)
    {
        if (_pending.Count >= capacity)
        {
            _pending.Dequeue();
            Lose("queue full");
        }
        _pending.Enqueue(features);
        if (_pump.IsCompleted) _pump = PumpAsync();
    }

    /// <summary>Waits for what is queued to be published, at most <paramref name="timeout"/>.</summary>
    public Task DrainAsync(TimeSpan timeout) => _pump.WaitAsync(timeout).ContinueWith(_ => { }, TaskScheduler.Current);

    // Whatever queued while the previous publish was on its way goes as one batch: the publish rate follows the
    // queue's latency, so a slow queue makes batches larger, not the backlog longer.
    private async Task PumpAsync()
    {
        while (_pending.Count > 0)
        {
            var batch = _pending.ToArray();
            _pending.Clear();
            try
            {
                await stream.OnNextBatchAsync(batch);
                if (_lost > 0) logger.LogInformation("Session {Session}: feature stream back after {Count} unpublished frames", sessionId, _lost);
                _lost = 0;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                for (var i = 0; i < batch.Length; i++) Lose(e.GetType().Name);
            }
        }
    }

    private void Lose(string reason)
    {
        Unpublished++;
        if (_lost++ == 0) logger.LogWarning("Session {Session}: features not published ({Reason}); replies go on without them", sessionId, reason);
    }
}
