using AncOrleans.Abstractions.Recordings;
using Microsoft.Extensions.Logging;

namespace AncOrleans.Grains.Recordings;

/// <summary>
/// Writes a session's finished chunks to the <see cref="IRecordingStore"/> as two WAVs each
/// (<see cref="RecordingKeys"/>), off the reply path: chunks queue here and one pump writes them in order. At most
/// <c>capacity</c> chunks wait (a minute at 10 s each); past that the oldest is dropped, counted and logged, so a slow
/// store never grows a session's memory.
/// </summary>
public sealed class RecordingWriter(IRecordingStore store, string sessionId, ILogger logger, int capacity = 6)
{
    private readonly Queue<RecordedChunk> _pending = new();
    private Task _pump = Task.CompletedTask;

    /// <summary>Chunks written, and chunks lost (dropped or failed).</summary>
    public int Written { get; private set; }

    public int Lost { get; private set; }

    public void Write(RecordedChunk chunk)
    {
        if (_pending.Count >= capacity)
        {
            _pending.Dequeue();
            Lose("queue full");
        }
        _pending.Enqueue(chunk);
        if (_pump.IsCompleted) _pump = PumpAsync();
    }

    /// <summary>Waits for what is queued, at most <paramref name="timeout"/>.</summary>
    public Task DrainAsync(TimeSpan timeout) => _pump.WaitAsync(timeout).ContinueWith(_ => { }, TaskScheduler.Current);

    private async Task PumpAsync()
    {
        while (_pending.TryDequeue(out var chunk))
        {
            try
            {
                await store.PutAsync(RecordingKeys.Key(chunk.DeviceId, chunk.Session, chunk.Index, RecordingKeys.Noise),
                    WavPcm16.Write(chunk.Noise.AsSpan(0, chunk.Samples), chunk.SampleRate), CancellationToken.None);
                await store.PutAsync(RecordingKeys.Key(chunk.DeviceId, chunk.Session, chunk.Index, RecordingKeys.Residual),
                    WavPcm16.Write(chunk.Residual.AsSpan(0, chunk.Samples), chunk.SampleRate), CancellationToken.None);
                Written++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Lose(e.Message);
            }
        }
    }

    private void Lose(string reason)
    {
        Lost++;
        logger.LogWarning("Session {Session}: recording chunk lost ({Reason}); {Lost} lost so far", sessionId, reason, Lost);
    }
}
