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
    private readonly int _rate, _window, _hop, _floorHalf, _levelFrom;
    private readonly RealFft _fft;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> Windows = new(); // read-only, shared
    private readonly float[] _hann;
    private readonly float[] _pending;                 // the samples of the next frame
    private readonly double[] _level;                  // L(k), dB, over [_lo − _floorHalf, _hi + _floorHalf]
    private readonly bool[] _peak;                     // peak(k) this frame
    private readonly int[] _run;                       // run(k), frames
    private readonly double[] _runLow, _runHigh;       // level range of the current run, dB
    private readonly double[] _previous;               // the run's level in the previous frame, dB
    private readonly double[] _sort;                   // scratch for the median (a frame with a NaN level)
    private int _filled;
    private long _consumed;

    public SteadyLineTracker(int sampleRate, double lowHz = 100, double highHz = 2400)
    {
        _rate = sampleRate;
        _window = (int)Math.Round(WindowSeconds * sampleRate);
        _hop = _window / 4;
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_window);
        _fft = new RealFft(size);
        BinHz = (double)sampleRate / size;
        _hann = Windows.GetOrAdd(_window, static n =>
        {
            var hann = new float[n];
            for (var i = 0; i < n; i++) hann[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * (i + 0.5) / n));
            return hann;
        });
        _pending = new float[_window];
        _floorHalf = (int)Math.Round(FloorHalfWidthHz / BinHz);
        // Down to lowHz itself: near the bottom the median's neighbourhood is the lowest 2·half + 1 bins above DC
        // (one-sided), not cut off — a line at 100 Hz must be seen, or mains hum's harmonics pass for a horn.
        LowBin = Math.Max(2, (int)(lowHz / BinHz));
        _levelFrom = Math.Max(1, LowBin - _floorHalf);
        HighBin = Math.Min(_fft.Bins - _floorHalf - 2, (int)Math.Ceiling(highHz / BinHz));
        // Per-bin state only up to the highest bin read (HighBin + the median's half width): at 48 kHz ≈ 470 of 4097
        // bins, so a session's tracker holds ~25 KB of it, not ~200 KB.
        var used = HighBin + _floorHalf + 2;
        _level = new double[used];
        _peak = new bool[used];
        _run = new int[used];
        _runLow = new double[used];
        _runHigh = new double[used];
        _previous = new double[used];
        _sort = new double[2 * _floorHalf + 1];
    }

    public double BinHz { get; }
    public double HopSeconds => (double)_hop / _rate;
    public int LowBin { get; }
    public int HighBin { get; }

    /// <summary>How long a steady partial has held bin k (±1 bin), in seconds.</summary>
    public double SteadySeconds(int k) => _run[k] * HopSeconds;

    /// <summary>Whether bin k is a salient peak in the newest frame.</summary>
    public bool IsPeak(int k) => _peak[k];

    /// <summary>L(k) in the newest frame, dB (full scale 0 dB ≈ a sine of amplitude 1 at the window's gain).</summary>
    public double LevelDb(int k) => _level[k];

    /// <summary>The level of the strongest salient peak in the newest frame, dB (−∞ without one).</summary>
    public double StrongestPeakDb { get; private set; } = double.NegativeInfinity;

    public int Bin(double hz) => (int)Math.Round(hz / BinHz);

    /// <summary>Feeds samples; calls <paramref name="onFrame"/> with the time (s) of each new frame's centre.</summary>
    public void Push(ReadOnlySpan<float> samples, Action<double> onFrame)
    {
        // Block copies up to each frame's end (the same frames as sample by sample).
        while (!samples.IsEmpty)
        {
            var take = Math.Min(_window - _filled, samples.Length);
            samples[..take].CopyTo(_pending.AsSpan(_filled));
            samples = samples[take..];
            _filled += take;
            if (_filled < _window) return;
            Analyse();
            Array.Copy(_pending, _hop, _pending, 0, _window - _hop);
            _filled = _window - _hop;
            _consumed += _hop;
            onFrame((_consumed - _hop + _window / 2.0) / _rate);
        }
    }

    // S(k) = L(k) − F(k) ≥ MinSalienceDb, F the median of the neighbourhood (its element of rank _floorHalf), without
    // sorting it: fl(L − x) ≥ 9 holds for every x up to some value and for none above (rounding is monotone), so it
    // holds for the median exactly when it holds for at least _floorHalf + 1 of the neighbourhood — the same answer,
    // bit for bit, as sorting and testing the median. A frame with a NaN level (which sorts first) takes the sort.
    private bool Salient(double level, ReadOnlySpan<double> neighbourhood)
    {
        int holds = 0, fails = 0, needed = _floorHalf + 1, enough = neighbourhood.Length - _floorHalf;
        foreach (var x in neighbourhood)
        {
            if (level - x >= MinSalienceDb)
            {
                if (++holds >= needed) return true;
            }
            else if (++fails >= enough) return false;
        }
        return false;
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
        _fft.Forward(_pending, _hann, re, im);
        var nan = false;
        for (var k = _levelFrom; k <= HighBin + _floorHalf; k++)
        {
            _level[k] = 10 * Math.Log10(re[k] * re[k] + im[k] * im[k] + 1e-20);
            nan |= double.IsNaN(_level[k]);
        }
        var strongest = double.NegativeInfinity;
        for (var k = LowBin; k <= HighBin; k++)
        {
            _peak[k] = false;
            if (_level[k] < _level[k - 1] || _level[k] < _level[k + 1]) continue;
            var neighbourhood = _level.AsSpan(Math.Max(_levelFrom, k - _floorHalf), _sort.Length);
            _peak[k] = nan ? SalientBySorting(_level[k], neighbourhood) : Salient(_level[k], neighbourhood);
            if (_peak[k] && _level[k] > strongest) strongest = _level[k];
        }
        StrongestPeakDb = strongest;
        for (var k = LowBin; k < HighBin; k++)
        {
            if (!(_peak[k - 1] || _peak[k] || _peak[k + 1])) { _run[k] = 0; continue; }
            var level = Math.Max(_level[k], Math.Max(_level[k - 1], _level[k + 1]));
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
