using AncOrleans.Abstractions;
using AncOrleans.Dsp;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// What the live page shows of a session beyond its stats: the short-term reduction once per second of audio over the
/// last <see cref="HistorySeconds"/> seconds (always kept: one float per second), and the spectra of d̂ and of the
/// residual (a <see cref="SpectrumMonitor"/>, which exists only while a viewer watches: <see cref="Watch"/> keeps it
/// for some seconds of audio, after which it is dropped). When nobody watches, a frame costs a counter and no
/// allocation. Not thread-safe: the session's pipeline calls it one message at a time.
/// </summary>
public sealed class SessionWatch
{
    /// <summary>Seconds of reduction history kept.</summary>
    public const int HistorySeconds = 300;

    /// <summary>Highest frequency shown in the spectra.</summary>
    public const double MaxSpectrumHz = 4_000;

    private readonly float[] _history = new float[HistorySeconds]; // ring: short-term reduction, one per second
    private int _historyCount, _historyNext;
    private long _untilNextPoint;         // samples before the next history point
    private SpectrumMonitor? _spectra;    // only while watched
    private float[] _noise = [];          // scratch for d̂ while watched
    private long _watchLeft;              // samples of audio the spectra still run for

    /// <summary>Whether the spectra are being computed.</summary>
    public bool Watching => _watchLeft > 0;

    /// <summary>Keeps the spectra running for <paramref name="seconds"/> of audio at <paramref name="sampleRate"/>; frames are at most <paramref name="maxFrameSamples"/>.</summary>
    public void Watch(int sampleRate, int maxFrameSamples, int seconds)
    {
        if (sampleRate <= 0) return; // not configured: nothing to measure yet
        if (_spectra is null || _spectra.SampleRate != sampleRate) _spectra = new SpectrumMonitor(sampleRate);
        if (_noise.Length < maxFrameSamples) _noise = new float[maxFrameSamples];
        _watchLeft = (long)seconds * sampleRate;
    }

    /// <summary>Where the canceller writes d̂ for this frame: empty when nobody watches (it then writes nothing).</summary>
    public Span<float> NoiseBuffer(int count) => Watching && count <= _noise.Length ? _noise.AsSpan(0, count) : default;

    /// <summary>
    /// One frame done: <paramref name="count"/> samples with the session's short-term reduction after it; while
    /// watched, the frame's d̂ and residual go to the spectra (empty spans: this mode has none).
    /// </summary>
    public void Observe(int sampleRate, int count, double shortTermDb, ReadOnlySpan<float> noise, ReadOnlySpan<float> residual)
    {
        _untilNextPoint -= count;
        if (_untilNextPoint <= 0)
        {
            _untilNextPoint += sampleRate;
            _history[_historyNext] = (float)shortTermDb;
            _historyNext = (_historyNext + 1) % HistorySeconds;
            _historyCount = Math.Min(HistorySeconds, _historyCount + 1);
        }
        if (_watchLeft <= 0) return;
        if (!noise.IsEmpty && noise.Length == residual.Length && _spectra is { } spectra && spectra.SampleRate == sampleRate) spectra.Add(noise, residual);
        _watchLeft -= count;
        if (_watchLeft <= 0)
        {
            _spectra = null; // nobody watches any more: give the memory back
            _noise = [];
        }
    }

    /// <summary>The reduction history, oldest first.</summary>
    public float[] History()
    {
        var result = new float[_historyCount];
        var start = (_historyNext - _historyCount + HistorySeconds) % HistorySeconds;
        for (var i = 0; i < _historyCount; i++) result[i] = _history[(start + i) % HistorySeconds];
        return result;
    }

    /// <summary>The spectra up to <see cref="MaxSpectrumHz"/>, one FFT bin per display bin, or null before the first snapshot.</summary>
    public SessionSpectrum? Spectrum()
    {
        if (_spectra is not { Snapshots: > 0 } spectra) return null;
        const int merge = 1;
        var bins = spectra.DisplayBins(MaxSpectrumHz, merge);
        var noise = new float[bins];
        var residual = new float[bins];
        spectra.CopyTo(MaxSpectrumHz, merge, noise, residual);
        return new SessionSpectrum(spectra.SampleRate, spectra.BinHz * merge, noise, residual, spectra.Snapshots);
    }
}
