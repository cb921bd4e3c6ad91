using AncOrleans.Dsp;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Tracks stationary spectral lines — partials that hold their frequency and level — with long frames, for the
/// car-horn test. The idea is FitzGerald's median-filter view of a spectrogram ("Harmonic/percussive separation
/// using median filtering", DAFx 2010): a peak that stands above the median of its spectral neighbourhood is a
/// partial, and one that persists along time is harmonic (stationary) rather than transient; continuation within a
/// frequency tolerance follows McAulay &amp; Quatieri ("Speech analysis/synthesis based on a sinusoidal
/// representation", IEEE TASSP 1986). Per frame (150 ms Hann, zero-padded to a power of two, hop 37.5 ms, so bins
/// are 4–6 Hz at 16–48 kHz and a voice's ±3 % vibrato smears over several of them):
/// <code>
///   L(k) = 10 log10 |X(k)|²,   F(k) = median{ L(j) : |j − k| ≤ 100 Hz },   S(k) = L(k) − F(k)
///            (below 100 Hz + 1 bin: the same number of bins, the lowest above DC)
///   peak(k)  ⇔  k is a local maximum of L and S(k) ≥ 9 dB
///   run(k) ← run(k) + 1 if peak(j) for some |j − k| ≤ 1 bin, with level λ = max L(j), and λ has stayed within a
///            5 dB range since the run began and rose ≤ 3 dB since the last frame; otherwise run(k) ← 1 (0 without a peak)
/// </code>
/// Computed in the power domain, P(k) = |X(k)|²: S(k) ≥ 9 dB ⇔ P(k) ≥ 10^0.9 · median P, and L only for the bins a run
/// tracks (a logarithm per bin per frame was a third of the tracker's time).
/// The rise test stops a run of repeated notes (each decays and is struck again) from passing as one held tone.
/// Frames of 100 ms (or 128 ms) lost horns at −5 dB SNR — the level of a partial in noise fluctuated beyond the range —
/// and 200 ms ones bridged more notes; 150 ms was the balance on the tuning seeds.
/// <see cref="SteadySeconds"/>(k) = run(k) × hop: how long a partial has held bin k (± 1 bin ≈ ±1.5 % at 500 Hz)
/// at a steady level. Voices glide and are modulated at the syllable rate, so their harmonics rarely hold a bin for
/// more than 0.3 s; a horn holds its partials for as long as it sounds. Allocation-free after construction.
/// </summary>
public sealed class SteadyLineTracker
{
    private const double WindowSeconds = 0.15, FloorHalfWidthHz = 100, MinSalienceDb = 9, MaxLevelRangeDb = 5, MaxRiseDb = 3;
    private readonly int _rate, _window, _floorHalf, _levelFrom;
    private readonly RealFft _fft;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> Windows = new(); // read-only, shared
    private readonly float[] _hann;
    private readonly Framer _framer;                   // 150 ms frames, hop 37.5 ms
    private readonly Action _onFramed;
    private Action<double>? _consumer;                 // the current Push's callback
    private static readonly double SalienceRatio = Math.Pow(10, -MinSalienceDb / 10);
    private readonly double[] _power;                  // P(k) = |X(k)|², over [LowBin − _floorHalf, HighBin + _floorHalf]
    private readonly double[] _level;                  // L(k) = 10 log10 P(k), dB, only in a frame with a NaN
    private readonly bool[] _peak;                     // peak(k) this frame
    private readonly int[] _run;                       // run(k), frames
    private readonly double[] _runLow, _runHigh;       // level range of the current run, dB
    private readonly double[] _previous;               // the run's level in the previous frame, dB
    private readonly double[] _sort;                   // scratch for the median (a frame with a NaN level)

    public SteadyLineTracker(int sampleRate, double lowHz = 100, double highHz = 2400)
    {
        _rate = sampleRate;
        _window = (int)Math.Round(WindowSeconds * sampleRate);
        _framer = new Framer(_window, _window / 4);
        _onFramed = () =>
        {
            Analyse();
            _consumer!((_framer.Start + _window / 2.0) / _rate);
        };
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_window);
        _fft = new RealFft(size);
        BinHz = (double)sampleRate / size;
        _hann = Windows.GetOrAdd(_window, static n =>
        {
            var hann = new float[n];
            for (var i = 0; i < n; i++) hann[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * (i + 0.5) / n));
            return hann;
        });
        _floorHalf = (int)Math.Round(FloorHalfWidthHz / BinHz);
        // Down to lowHz itself: near the bottom the median's neighbourhood is the lowest 2·half + 1 bins above DC
        // (one-sided), not cut off — a line at 100 Hz must be seen, or mains hum's harmonics pass for a horn.
        LowBin = Math.Max(2, (int)(lowHz / BinHz));
        _levelFrom = Math.Max(1, LowBin - _floorHalf);
        HighBin = Math.Min(_fft.Bins - _floorHalf - 2, (int)Math.Ceiling(highHz / BinHz));
        // Per-bin state only up to the highest bin read (HighBin + the median's half width): at 8 kHz (a 48 kHz
        // session's lines, on the 16 kHz front end halved) ≈ 640 of 1025 bins, ~35 KB.
        var used = HighBin + Math.Max(_floorHalf, Vector256<double>.Count) + 2; // the maxima's vector loads read up to HighBin + 4
        _power = SessionArray.Of<double>(used);
        _level = SessionArray.Of<double>(used);
        _peak = SessionArray.Of<bool>(used);
        _run = SessionArray.Of<int>(used);
        _runLow = SessionArray.Of<double>(used);
        _runHigh = SessionArray.Of<double>(used);
        _previous = SessionArray.Of<double>(used);
        _sort = SessionArray.Of<double>(2 * _floorHalf + 1);
    }

    public double BinHz { get; }
    public double HopSeconds => (double)_framer.Hop / _rate;
    public int LowBin { get; }
    public int HighBin { get; }

    /// <summary>How long a steady partial has held bin k (±1 bin), in seconds.</summary>
    public double SteadySeconds(int k) => _run[k] * HopSeconds;

    /// <summary>Whether bin k is a salient peak in the newest frame.</summary>
    public bool IsPeak(int k) => _peak[k];

    /// <summary>L(k) in the newest frame, dB (full scale 0 dB ≈ a sine of amplitude 1 at the window's gain).</summary>
    public double LevelDb(int k) => 10 * Math.Log10(_power[k]);

    /// <summary>The level of the strongest salient peak in the newest frame, dB (−∞ without one).</summary>
    public double StrongestPeakDb => _strongestPower > 0 ? 10 * Math.Log10(_strongestPower) : double.NegativeInfinity;

    private double _strongestPower;

    public int Bin(double hz) => (int)Math.Round(hz / BinHz);

    /// <summary>Feeds samples; calls <paramref name="onFrame"/> with the time (s) of each new frame's centre.</summary>
    public void Push(ReadOnlySpan<float> samples, Action<double> onFrame)
    {
        _consumer = onFrame;
        _framer.Push(samples, _onFramed);
    }

    // S(k) = L(k) − F(k) ≥ MinSalienceDb, F the median of the neighbourhood (its element of rank _floorHalf), in the power
    // domain and without sorting: P(k) ≥ 10^0.9 · P(j) holds for every P(j) up to some value and for none above, so it
    // holds for the median exactly when it holds for at least _floorHalf + 1 of the neighbourhood. No logarithm per bin
    // (10 log10 is monotone: the same peaks but for ties within a rounding). A frame with a NaN takes the sort, in dB.
    private bool Salient(double threshold, ReadOnlySpan<double> neighbourhood)
    {
        // Counted branch-free (SIMD compares): in noise the test goes either way at random, and a mispredicted branch
        // per neighbour cost more than the FFT.
        var n = neighbourhood.Length;
        var i = 0;
        var holds = 0L;
        if (Vector512.IsHardwareAccelerated && n >= Vector512<double>.Count)
        {
            // eight neighbours a compare where 512-bit SIMD runs in hardware (a count: the same whatever the width)
            var limit = Vector512.Create(threshold);
            var count = Vector512<long>.Zero;
            ref var first = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(neighbourhood);
            for (; i <= n - Vector512<double>.Count; i += Vector512<double>.Count)
                count -= Vector512.LessThanOrEqual(Vector512.LoadUnsafe(ref first, (nuint)i), limit).AsInt64();
            holds = Vector512.Sum(count);
        }
        else if (System.Numerics.Vector.IsHardwareAccelerated && n >= System.Numerics.Vector<double>.Count)
        {
            var limit = new System.Numerics.Vector<double>(threshold);
            var count = System.Numerics.Vector<long>.Zero;
            for (; i <= n - System.Numerics.Vector<double>.Count; i += System.Numerics.Vector<double>.Count)
                count -= System.Numerics.Vector.LessThanOrEqual(new System.Numerics.Vector<double>(neighbourhood[i..]), limit); // −1 where it holds
            holds = System.Numerics.Vector.Sum(count);
        }
        for (; i < n; i++) holds += neighbourhood[i] <= threshold ? 1 : 0;
        return holds >= _floorHalf + 1;
    }

    // peak(k) for a local maximum k: set and returned.
    private bool IsSalient(int k, bool nan)
    {
        var from = Math.Max(_levelFrom, k - _floorHalf);
        return _peak[k] = nan
            ? SalientBySorting(_level[k], _level.AsSpan(from, _sort.Length))
            : Salient(_power[k] * SalienceRatio, _power.AsSpan(from, _sort.Length));
    }

    private bool SalientBySorting(double level, ReadOnlySpan<double> neighbourhood)
    {
        neighbourhood.CopyTo(_sort);
        _sort.AsSpan().Sort();
        return level - _sort[_floorHalf] >= MinSalienceDb;
    }

    private void Analyse()
    {
        var re = FftScratch.Re(_fft.Bins);
        var im = FftScratch.Im(_fft.Bins);
        _fft.Forward(_framer.Frame, _hann, re, im);
        var nan = false;
        for (var k = _levelFrom; k <= HighBin + _floorHalf; k++)
        {
            _power[k] = re[k] * re[k] + im[k] * im[k] + 1e-20;
            nan |= double.IsNaN(_power[k]);
        }
        if (nan) for (var k = _levelFrom; k <= HighBin + _floorHalf; k++) _level[k] = 10 * Math.Log10(_power[k]);
        var strongest = 0.0;
        if (Vector256.IsHardwareAccelerated)
        {
            // The local maxima found four bins a compare and visited through the set bits of the mask, in order: in noise a
            // third of the bins are maxima at random, and a branch per bin went either way.
            Array.Clear(_peak, LowBin, HighBin - LowBin + 1);
            ref var power = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_power);
            for (var k0 = LowBin; k0 <= HighBin; k0 += Vector256<double>.Count) // reads up to HighBin + 4 < _power.Length
            {
                var p = Vector256.LoadUnsafe(ref power, (nuint)k0);
                var lower = Vector256.LessThan(p, Vector256.LoadUnsafe(ref power, (nuint)(k0 - 1)))
                            | Vector256.LessThan(p, Vector256.LoadUnsafe(ref power, (nuint)(k0 + 1)));
                var maxima = ~lower.ExtractMostSignificantBits() & ((1u << Math.Min(Vector256<double>.Count, HighBin - k0 + 1)) - 1);
                for (; maxima != 0; maxima &= maxima - 1)
                {
                    var k = k0 + System.Numerics.BitOperations.TrailingZeroCount(maxima);
                    if (IsSalient(k, nan) && _power[k] > strongest) strongest = _power[k];
                }
            }
        }
        else
        {
            for (var k = LowBin; k <= HighBin; k++)
            {
                _peak[k] = false;
                if (_power[k] < _power[k - 1] || _power[k] < _power[k + 1]) continue;
                if (IsSalient(k, nan) && _power[k] > strongest) strongest = _power[k];
            }
        }
        _strongestPower = strongest;
        for (var k = LowBin; k < HighBin; k++)
        {
            if (!(_peak[k - 1] || _peak[k] || _peak[k + 1])) { _run[k] = 0; continue; }
            var level = 10 * Math.Log10(Math.Max(_power[k], Math.Max(_power[k - 1], _power[k + 1])));
            var rise = level - _previous[k];
            _previous[k] = level;
            if (_run[k] == 0 || rise > MaxRiseDb || Math.Max(_runHigh[k], level) - Math.Min(_runLow[k], level) > MaxLevelRangeDb)
            {
                _run[k] = 1;
                _runLow[k] = _runHigh[k] = level;
                continue;
            }
            _run[k]++;
            _runLow[k] = Math.Min(_runLow[k], level);
            _runHigh[k] = Math.Max(_runHigh[k], level);
        }
    }
}
