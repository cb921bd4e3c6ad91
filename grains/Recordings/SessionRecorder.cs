namespace AncOrleans.Grains.Recordings;

/// <summary>
/// Collects a session's noise (d̂) and residual into chunks of <c>chunkSamples</c> 16-bit samples. <see cref="Add"/>
/// runs per frame and allocates nothing (the chunk's arrays are made once per chunk, every 10 s by default); a full
/// chunk is returned for writing off the reply path. Not thread-safe: the session's pipeline calls it.
/// </summary>
public sealed class SessionRecorder
{
    private readonly string _deviceId, _session;
    private readonly int _sampleRate, _chunkSamples;
    private short[] _noise, _residual;
    private int _fill, _index;

    public SessionRecorder(string deviceId, DateTime startedUtc, int sampleRate, int chunkSamples)
    {
        if (sampleRate <= 0) throw new ArgumentException($"Sample rate must be positive, not {sampleRate}.");
        if (chunkSamples <= 0) throw new ArgumentException($"A chunk must hold at least one sample, not {chunkSamples}.");
        _deviceId = deviceId;
        _session = Abstractions.Recordings.RecordingKeys.Session(startedUtc);
        _sampleRate = sampleRate;
        _chunkSamples = chunkSamples;
        _noise = new short[chunkSamples];
        _residual = new short[chunkSamples];
    }

    public int SampleRate => _sampleRate;

    /// <summary>Chunks completed so far.</summary>
    public int Chunks => _index;

    /// <summary>One frame's d̂ and residual (same length); returns the chunk it completed, if any (at most one per frame of ≤ one chunk).</summary>
    public RecordedChunk? Add(ReadOnlySpan<float> noise, ReadOnlySpan<float> residual)
    {
        if (noise.Length != residual.Length) throw new ArgumentException($"The noise has {noise.Length} samples, the residual {residual.Length}.");
        RecordedChunk? completed = null;
        for (var i = 0; i < noise.Length; i++)
        {
            _noise[_fill] = WavPcm16.ToPcm16(noise[i]);
            _residual[_fill] = WavPcm16.ToPcm16(residual[i]);
            if (++_fill == _chunkSamples) completed ??= Take();
        }
        return completed;
    }

    /// <summary>What is left (recording stopped, session ended), or null when nothing is.</summary>
    public RecordedChunk? Flush() => _fill == 0 ? null : Take();

    private RecordedChunk Take()
    {
        var chunk = new RecordedChunk(_deviceId, _session, _index++, _sampleRate, _noise, _residual, _fill);
        _noise = new short[_chunkSamples];
        _residual = new short[_chunkSamples];
        _fill = 0;
        return chunk;
    }
}
