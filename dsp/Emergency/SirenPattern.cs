using AncOrleans.Dsp;
namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Siren test on the <see cref="ToneAnalyzer"/>'s peak track, after the pitch-trajectory view of siren detectors
/// (Meucci et al., "A real-time siren detector to improve safety of guide in traffic environment", EUSIPCO 2008:
/// the siren is the tone whose frequency follows the known sweep shapes). Frames count when their strongest
/// 450–2000 Hz peak holds ≥ 30 % of the band's power (<see cref="ToneFrame.IsTone"/>). The three common signals:
/// <list type="bullet">
/// <item><b>wail</b> (a 3–6 s rise and fall): over the last second, f(t) ≈ a + b u + c u² (least squares, after
/// dropping frames more than 30 Hz off a 5-point running median, then off the fit) with an rms residual ≤ 12 Hz,
/// spanning ≥ 80 Hz. A held note (span ≈ 0) and a jump between notes (residual) both fail.</item>
/// <item><b>yelp</b> (a 0.2–0.4 s saw-tooth): over the last 0.6 s, at ≥ 40 % of the frames the local line fit over
/// ±32 ms is straight (rms ≤ 15 Hz) and steep (|df/dt| ≥ 800 Hz/s — a held tone's jitter gives ≈ 100 Hz/s),
/// mostly in one direction.</item>
/// <item><b>hi-lo</b>: two held pitches (each within ±2 %), a ratio of 1.15–1.5 apart, the earlier held ≥ 0.3 s and
/// the current ≥ 0.25 s.</item>
/// </list>
/// In all three the peak's own level (<see cref="ToneFrame.PeakLevelDb"/>) is steady: its least-squares slope is
/// within ±8 dB/s (a wail's ±12 dB/s) with an rms residual ≤ 3 dB (a wail's ≤ 6 dB), and a hi-lo's two levels are
/// within 6 dB. Doorbells and plucked or struck music decay at ≈ 25 dB/s, which is what separates them from a hi-lo at
/// 0 dB SNR, where the peak frequency jitters by ±5 Hz. A wail's looser level test is learnt from real recordings
/// (UrbanSound8K folds 1–3, never fold 10): a real siren's level wanders several dB as it moves and sweeps through the
/// room and its horn's response; with the 3 dB residual the patterns caught 7 % of the real siren clips, with 6 dB
/// 32 %, while the non-emergency clips matching stayed at 0.4 % (one street-music clip). Struck notes never glide, so
/// the wail's pitch tests still exclude them.
/// Allocation-free: the window's frames are copied into scratch arrays.
/// </summary>
public sealed class SirenPattern
{
    public const string Wail = "wail", Yelp = "yelp", HiLo = "hi-lo";
    private const double LowHz = 450, HighHz = 2000, MinProminence = 0.3, MaxLevelSlope = 8, MaxLevelResidual = 3;
    private const double WailMaxLevelSlope = 12, WailMaxLevelResidual = 6;
    // A held pitch may vanish this long (a syllable of babble takes the peak, or its prominence dips) and carry on.
    private const double MaxGapSeconds = 0.1;
    private readonly double _hop;
    private readonly double[] _t, _f, _l;        // scratch: the window's tonal frames (time s, peak Hz, peak dB)
    private readonly double[] _it, _if, _il;     // scratch: the inliers of a fit
    private readonly double[] _five = SessionArray.Of<double>(5);

    public SirenPattern(int capacity, double hopSeconds)
    {
        _hop = hopSeconds;
        _t = SessionArray.Of<double>(capacity); _f = SessionArray.Of<double>(capacity); _l = SessionArray.Of<double>(capacity);
        _it = SessionArray.Of<double>(capacity); _if = SessionArray.Of<double>(capacity); _il = SessionArray.Of<double>(capacity);
    }

    /// <summary>The siren signal the track matches now (<see cref="Wail"/>, <see cref="Yelp"/>, <see cref="HiLo"/>), or null.</summary>
    public string? Match(ToneHistory history, double loudestDb)
    {
        if (IsWail(history, loudestDb)) return Wail;
        if (IsYelp(history, loudestDb)) return Yelp;
        if (IsHiLo(history, loudestDb)) return HiLo;
        return null;
    }

    private bool IsWail(ToneHistory history, double loudestDb)
    {
        const double window = 1.0;
        var (frames, n) = Gather(history, window, loudestDb);
        if (frames < 0.9 * window / _hop || n < 0.7 * frames) return false;
        // Pass 1: drop frames far from a 5-point running median (frames taken by another source).
        var m = 0;
        for (var i = 0; i < n; i++)
            if (Math.Abs(_f[i] - Median5(i, n)) <= 30) { _it[m] = _t[i]; _if[m] = _f[i]; m++; }
        var fit = PolynomialFit.Quadratic(_it.AsSpan(0, m), _if.AsSpan(0, m));
        // Pass 2: keep frames within 30 Hz of that fit, and fit again.
        m = 0;
        for (var i = 0; i < n; i++)
            if (Math.Abs(_f[i] - Evaluate(fit, _t[i])) <= 30) { _it[m] = _t[i]; _if[m] = _f[i]; _il[m] = _l[i]; m++; }
        if (m < 0.6 * frames) return false;
        fit = PolynomialFit.Quadratic(_it.AsSpan(0, m), _if.AsSpan(0, m));
        double squares = 0;
        for (var i = 0; i < m; i++) { var r = _if[i] - Evaluate(fit, _it[i]); squares += r * r; }
        if (Math.Sqrt(squares / m) > 12) return false;
        // Continuous: no gap over 80 ms and no jump between neighbours (a quadratic can bridge two held notes).
        for (var i = 1; i < m; i++)
        {
            var dt = _it[i] - _it[i - 1];
            if (dt > 0.08 || Math.Abs(_if[i] - _if[i - 1]) > 30 + 1000 * dt) return false;
        }
        // Span of the fitted curve over the window: its ends and, if inside, its vertex.
        double first = Evaluate(fit, _it[0]), last = Evaluate(fit, _it[m - 1]);
        double low = Math.Min(first, last), high = Math.Max(first, last);
        if (fit.C != 0)
        {
            var vertex = fit.Centre - fit.B / (2 * fit.C);
            if (vertex > _it[0] && vertex < _it[m - 1]) { var v = Evaluate(fit, vertex); low = Math.Min(low, v); high = Math.Max(high, v); }
        }
        return high - low >= 80 && SteadyLevel(m, WailMaxLevelSlope, WailMaxLevelResidual);
    }

    private bool IsYelp(ToneHistory history, double loudestDb)
    {
        const double window = 0.6, half = 0.032;
        var (frames, n) = Gather(history, window, loudestDb);
        if (frames < 0.9 * window / _hop || n < 0.6 * frames) return false;
        var span = (int)Math.Round(2 * half / _hop) + 1;
        int up = 0, down = 0, m = 0;
        for (int i = 0, lo = 0, hi = 0; i < n; i++)
        {
            while (_t[i] - _t[lo] > half + 1e-9) lo++;
            while (hi + 1 < n && _t[hi + 1] - _t[i] <= half + 1e-9) hi++;
            var count = hi - lo + 1;
            if (count < 0.8 * span) continue;
            var line = PolynomialFit.Line(_t.AsSpan(lo, count), _f.AsSpan(lo, count));
            double squares = 0;
            for (var j = lo; j <= hi; j++) { var r = _f[j] - (line.A + line.B * (_t[j] - line.Centre)); squares += r * r; }
            if (Math.Sqrt(squares / count) > 15 || Math.Abs(line.B) < 800) continue;
            if (line.B > 0) up++; else down++;
            _it[m] = _t[i]; _il[m] = _l[i]; m++;
        }
        var sweeping = up + down;
        return sweeping >= 0.4 * frames && Math.Max(up, down) >= 0.8 * sweeping && SteadyLevel(m);
    }

    private bool IsHiLo(ToneHistory history, double loudestDb)
    {
        const double window = 1.2;
        var (_, n) = Gather(history, window, loudestDb);
        if (n < 8 || history.Newest.TimeSeconds - _t[n - 1] > 2.5 * _hop) return false;
        // The current pitch (B) and the one before it (A), walking back from the newest frame.
        var pitchB = MedianBefore(n);
        var (startB, countB) = Segment(n - 1, pitchB);
        if (startB < 5) return false;
        var endA = startB - 1;
        while (endA >= 0 && Math.Abs(_f[endA] - pitchB) <= 0.02 * pitchB) endA--;
        if (endA < 4 || _t[startB] - _t[endA] > 0.08) return false;
        var pitchA = MedianBefore(endA + 1);
        var (startA, countA) = Segment(endA, pitchA);
        double durationA = _t[endA] - _t[startA] + _hop, durationB = _t[n - 1] - _t[startB] + _hop;
        var ratio = Math.Max(pitchA, pitchB) / Math.Min(pitchA, pitchB);
        if (ratio is < 1.15 or > 1.5 || durationA < 0.3 || durationB < 0.25) return false;
        if (countA < 0.75 * durationA / _hop || countB < 0.75 * durationB / _hop) return false;
        var levelA = SegmentLevel(startA, endA, pitchA, out var okA);
        var levelB = SegmentLevel(startB, n - 1, pitchB, out var okB);
        return okA && okB && Math.Abs(levelA - levelB) <= 6;
    }

    // Frames of a held pitch ending at index 'end', walking back: within ±2 %, at most 3 other frames in a row and
    // no gap over MaxGapSeconds. Returns the first index and how many frames matched.
    private (int Start, int Count) Segment(int end, double pitch)
    {
        int start = end, count = 0, misses = 0;
        for (var i = end; i >= 0; i--)
        {
            if (Math.Abs(_f[i] - pitch) <= 0.02 * pitch)
            {
                if (_t[start] - _t[i] > MaxGapSeconds + 1e-9) break;
                start = i; count++; misses = 0;
            }
            else if (++misses > 3) break;
        }
        return (start, count);
    }

    private double SegmentLevel(int start, int end, double pitch, out bool steady)
    {
        var m = 0;
        double sum = 0;
        for (var i = start; i <= end; i++)
            if (Math.Abs(_f[i] - pitch) <= 0.02 * pitch) { _it[m] = _t[i]; _il[m] = _l[i]; sum += _l[i]; m++; }
        steady = SteadyLevel(m);
        return sum / Math.Max(1, m);
    }

    private bool SteadyLevel(int m, double maxSlope = MaxLevelSlope, double maxResidual = MaxLevelResidual)
    {
        if (m < 3) return false;
        var line = PolynomialFit.Line(_it.AsSpan(0, m), _il.AsSpan(0, m));
        double squares = 0;
        for (var i = 0; i < m; i++) { var r = _il[i] - (line.A + line.B * (_it[i] - line.Centre)); squares += r * r; }
        return Math.Abs(line.B) <= maxSlope && Math.Sqrt(squares / m) <= maxResidual;
    }

    // Copies the tonal frames of the last 'seconds' into the scratch arrays: (frames in the window, tonal frames).
    private (int Frames, int Tonal) Gather(ToneHistory history, double seconds, double loudestDb)
    {
        var from = history.IndexOfLast(seconds);
        var n = 0;
        for (var i = from; i < history.Count; i++)
        {
            var f = history[i];
            if (!f.IsTone(LowHz, HighHz, MinProminence, loudestDb)) continue;
            _t[n] = f.TimeSeconds; _f[n] = f.PeakHz; _l[n] = f.PeakLevelDb; n++;
        }
        return (history.Count - from, n);
    }

    private double Median5(int i, int n)
    {
        int lo = Math.Max(0, Math.Min(i - 2, n - 5)), count = Math.Min(5, n);
        for (var j = 0; j < count; j++) _five[j] = _f[lo + j];
        var s = _five.AsSpan(0, count);
        s.Sort();
        return s[count / 2];
    }

    private double MedianBefore(int end)
    {
        var count = Math.Min(5, end);
        for (var j = 0; j < count; j++) _five[j] = _f[end - 1 - j];
        var s = _five.AsSpan(0, count);
        s.Sort();
        return s[count / 2];
    }

    private static double Evaluate((double Centre, double A, double B, double C) q, double t)
    {
        var u = t - q.Centre;
        return q.A + q.B * u + q.C * u * u;
    }
}
