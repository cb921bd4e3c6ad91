namespace AncOrleans.Dsp;

/// <summary>
/// Live spectra of two signals — the noise without ANC (d̂) and the residual the ear heard — for a viewer. Every
/// <c>interval</c> samples the last N samples of each are windowed (periodic Hann) and transformed with a
/// <see cref="RealFft"/>, and the power per bin is averaged over successive snapshots:
/// <code>
///   X_k = Σ w(i) x(i) e^{−j2πik/N}                  N = the power of two ≥ fs / 8 (bins of ≤ 8 Hz)
///   P_k ← P_k + β (2 |X_k|² / (Σ w)² − P_k)          β = 0.5: about the last two snapshots
///   L_k = 10 log10(P_k)                              dB re full scale; a sine of amplitude A reads 20 log10(A/√2)
/// </code>
/// A cheap periodic measure (two FFTs of N every 200 ms), meant to run only while someone watches: the buffers
/// are allocated once here, and <see cref="Add"/> and the transforms allocate nothing.
/// Not thread-safe: fed by one caller (the session), read by the same caller (<see cref="CopyTo"/>).
/// </summary>
public sealed class SpectrumMonitor
{
    private const float Smoothing = 0.5f;
    private readonly RealFft _fft;
    private readonly float[] _window;
    private readonly float _scale;                // 2 / (Σ w)²
    private readonly float[] _noise, _residual;   // rings of the last N samples of d̂ and e
    private readonly float[] _frame, _re, _im;    // scratch: the windowed frame and its bins
    private readonly float[] _noisePower, _residualPower; // P_k, averaged
    private readonly int _interval;               // samples between snapshots
    private int _write;                           // next write position in the rings
    private int _sinceSnapshot;                   // samples since the last snapshot
    private int _filled;                          // samples seen, up to N (no snapshot before the ring is full)

    public SpectrumMonitor(int sampleRate, double intervalSeconds = 0.2)
    {
        if (sampleRate < 8) throw new ArgumentException($"Sample rate {sampleRate} Hz is too low for a spectrum.");
        if (!(intervalSeconds > 0)) throw new ArgumentException($"The spectrum interval must be positive, got {intervalSeconds} s.");
        var size = 8;
        while (size < sampleRate / 8) size *= 2;
        Size = size;
        SampleRate = sampleRate;
        _fft = new RealFft(size);
        _window = HannWindow.Periodic(size);
        var sum = 0.0;
        foreach (var w in _window) sum += w;
        _scale = (float)(2 / (sum * sum));
        _noise = new float[size];
        _residual = new float[size];
        _frame = new float[size];
        _re = new float[_fft.Bins];
        _im = new float[_fft.Bins];
        _noisePower = new float[_fft.Bins];
        _residualPower = new float[_fft.Bins];
        _interval = Math.Max(1, (int)Math.Round(intervalSeconds * sampleRate));
    }

    /// <summary>FFT length N.</summary>
    public int Size { get; }

    public int SampleRate { get; }

    /// <summary>Bins kept: N/2 + 1, from 0 Hz to fs/2.</summary>
    public int Bins => _fft.Bins;

    public double BinHz => (double)SampleRate / Size;

    /// <summary>Snapshots taken so far (0: not enough audio yet).</summary>
    public long Snapshots { get; private set; }

    /// <summary>Appends one block of d̂ and e (same length).</summary>
    public void Add(ReadOnlySpan<float> noise, ReadOnlySpan<float> residual)
    {
        if (noise.Length != residual.Length) throw new ArgumentException($"Block lengths differ: noise {noise.Length}, residual {residual.Length}.");
        for (var i = 0; i < noise.Length; i++)
        {
            _noise[_write] = noise[i];
            _residual[_write] = residual[i];
            if (++_write == Size) _write = 0;
            if (_filled < Size) _filled++;
            if (++_sinceSnapshot >= _interval && _filled >= Size)
            {
                _sinceSnapshot = 0;
                Snapshot();
            }
        }
    }

    private void Snapshot()
    {
        Accumulate(_noise, _noisePower);
        Accumulate(_residual, _residualPower);
        Snapshots++;
    }

    private void Accumulate(float[] ring, float[] power)
    {
        // Oldest sample first: the ring from the write position on, then its start.
        for (var i = 0; i < Size; i++)
        {
            var j = _write + i;
            if (j >= Size) j -= Size;
            _frame[i] = ring[j] * _window[i];
        }
        _fft.Forward(_frame, _re, _im);
        var beta = Snapshots == 0 ? 1f : Smoothing;
        for (var k = 0; k < power.Length; k++)
        {
            var p = _scale * (_re[k] * _re[k] + _im[k] * _im[k]);
            power[k] += beta * (p - power[k]);
        }
    }

    /// <summary>
    /// The levels in dB of the bins up to <paramref name="maxHz"/>, merged by <paramref name="merge"/> bins (the
    /// loudest of each group, so a line keeps its level), into the two arrays (each at least
    /// <see cref="DisplayBins"/> long). Floor −160 dB.
    /// </summary>
    public void CopyTo(double maxHz, int merge, Span<float> noiseDb, Span<float> residualDb)
    {
        var count = DisplayBins(maxHz, merge);
        for (var b = 0; b < count; b++)
        {
            float noise = 0, residual = 0;
            for (var k = b * merge; k < Math.Min(Bins, (b + 1) * merge); k++)
            {
                noise = Math.Max(noise, _noisePower[k]);
                residual = Math.Max(residual, _residualPower[k]);
            }
            noiseDb[b] = Decibels(noise);
            residualDb[b] = Decibels(residual);
        }
    }

    /// <summary>How many display bins <see cref="CopyTo"/> writes for a range and a merge factor.</summary>
    public int DisplayBins(double maxHz, int merge)
    {
        if (merge < 1) throw new ArgumentException($"merge must be ≥ 1, got {merge}.");
        var bins = Math.Min(Bins, (int)Math.Floor(Math.Min(maxHz, SampleRate / 2.0) / BinHz) + 1);
        return (bins + merge - 1) / merge;
    }

    private static float Decibels(float power) => power > 1e-16f ? (float)(10 * Math.Log10(power)) : -160f;
}
