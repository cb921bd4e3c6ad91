using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Collects a session's per-frame reference mic into <see cref="FeatureBatch"/>es of at least
/// <paramref name="batchMs"/> of audio. The samples go straight into one buffer as int16 (no per-frame
/// allocation); a batch is one array, handed over when complete. A change of sample rate closes the batch first.
/// Not thread-safe: the session calls it one frame at a time.
/// <para>A batch's array comes from a few kept by this batcher (<see cref="FrameBuffers"/>): once the listener has taken a batch (its call returned),
/// <see cref="Return"/> gives the array back, so that steady state allocates no batch arrays (9.6 KB per 100 ms at
/// 48 kHz: a quarter of what an edge-mode gateway allocated before). A batch never returned is simply collected. The
/// session's publisher returns it from its pump, which runs on the grain's scheduler like the frames: one at a time.</para>
/// <para><paramref name="stagger"/>: the first batch is cut short, to 10–100 % of a batch by a stable hash of the session
/// id, so that sessions which started together (a load test, a scale-out, a silo's first devices) do not all hand over
/// — and their emergency grains all analyse, and all finish their ≈ 1 s classifier windows — in the same few ms of
/// every batch period: spread over the period, the work no longer queues the frames behind it.</para>
/// </summary>
public sealed class FeatureBatcher(string sessionId, int batchMs = 100, bool stagger = false)
{
    private byte[] _pcm = [];
    private int _samples, _frames, _rate;
    private long _first, _last;
    private float _reduction;
    private bool _firstBatch = stagger;
    private readonly FrameBuffers _free = new();

    /// <summary>Frames collected and not yet handed over.</summary>
    public int PendingFrames => _frames;

    /// <summary>Adds one accepted frame; returns a batch when one is complete (or the rate changed), else null.</summary>
    public FeatureBatch? Add(long sequence, int sampleRate, ReadOnlySpan<float> reference, float reductionDb)
    {
        var closed = _frames > 0 && sampleRate != _rate ? Flush() : null;
        if (_frames == 0)
        {
            _rate = sampleRate;
            _first = sequence;
        }
        var needed = 2 * (_samples + reference.Length);
        if (_pcm.Length < needed) AncOrleans.Dsp.SessionArray.Grow(ref _pcm, Math.Max(needed, 2 * (TargetSamples + reference.Length))); // lives as long as the session
        Pcm16.Encode(reference, _pcm.AsSpan(2 * _samples));
        _samples += reference.Length;
        _frames++;
        _last = sequence;
        _reduction = reductionDb;
        return closed ?? (_samples >= (_firstBatch ? FirstTargetSamples : TargetSamples) ? Flush() : null);
    }

    /// <summary>Hands over what is collected (null when nothing is).</summary>
    public FeatureBatch? Flush()
    {
        if (_frames == 0) return null;
        _firstBatch = false;
        var pcm = _free.Take(2 * _samples);
        _pcm.AsSpan(0, pcm.Length).CopyTo(pcm);
        var batch = new FeatureBatch(sessionId, _first, _last, _frames, _rate, _reduction, pcm);
        _samples = 0;
        _frames = 0;
        return batch;
    }

    /// <summary>
    /// The listener is done with <paramref name="batch"/> (its call returned): its array may carry a later batch. Call it
    /// only then, and only for a batch of this batcher; nothing may read the batch afterwards.
    /// </summary>
    public void Return(FeatureBatch batch)
    {
        if (batch.SessionId == sessionId) _free.Give(batch.ReferencePcm16);
    }

    private int TargetSamples => (int)Math.Max(1, (long)_rate * batchMs / 1000);

    private int FirstTargetSamples => (int)Math.Max(1, TargetSamples * (1 + SessionPhase.Of(sessionId, 10)) / 10);
}
