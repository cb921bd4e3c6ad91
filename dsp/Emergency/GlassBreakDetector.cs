using AncOrleans.Dsp;
namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Glass break: a sharp, broadband crash followed by a shower of short high resonances (the fragments; Cook's
/// particle model, see <c>ImpactSource</c>). A stream of 32 kHz or more is decimated to ≈ 24 kHz (after a 4th-order
/// Butterworth low-pass); then on 8 ms Hann frames (hop 4 ms), in the high band H = 3 kHz … min(10.8 kHz,
/// 0.45 × the analysis rate), where speech, traffic and most household noise are weak: 3–7.2 kHz at 16 kHz, 3–10.8 kHz at
/// 48 kHz (where a quarter of the fragments ring above 7.2 kHz: analysed at 16 kHz, a 48 kHz stream lost glass breaks in
/// pink noise, 36 of 40 tuning clips at 0 dB, against 40 of 40 with the wider band):
/// <code>
///   P_i(k) = |X_i(k)|²,   E(i) = 10 log10 Σ_{k∈H} P_i(k),   B = median of E over the preceding 0.5 s (less 30 ms)
///   flat(i) = exp(mean_{k∈H} ln P_i(k)) / mean_{k∈H} P_i(k)         (spectral flatness: ≈ 0.56 for white noise)
///   prominent_i(k) ⇔ P_i(k) is a local maximum and P_i(k) ≥ 4 × median_{j∈H} P_i(j)   (6 dB over the band)
/// </code>
/// <list type="number">
/// <item><b>Crash</b> — a high-frequency-content onset (Masri's HFC; Bello et al., "A tutorial on onset detection in
/// music signals", IEEE TSAP 2005): E jumps ≥ 8 dB within 8 ms to ≥ 12 dB over B, with a noise-like band in this
/// frame or the last (flat ≥ 0.3: an alarm's beep is a line, flat ≈ 0.1; the pane's own modes, struck at once, can
/// make the frame after the first one peaky).</item>
/// <item><b>Shower</b>, over the next 0.5 s, counting only frames where E ≥ max(B + 6, E_crash − 30) dB (≥ 20 % of them;
/// 15 % in the wide band): ≥ 6 <i>resonances</i> (12 in the wide band) — distinct frequencies (±1 bin) where a
/// prominent peak held two frames in a row — and ≥ 4 distinct <i>dominant</i> frequencies (the strongest bin, when prominent). Fragments ring at many different
/// frequencies; a dropped spoon rings its own three to five modes (≤ 3 dominant), speech's few high harmonics
/// follow its formants (≤ 2 dominant), a slammed door leaves no resonances up there.</item>
/// </list>
/// On the tuning seeds (0 dB in pink noise, babble, traffic) glass breaks showed 9–16 resonances and 4–9 dominant
/// frequencies in the 3–7.2 kHz band; speech, cutlery and door slams at most 8 and 3 (but never both high). In the wide
/// band, glass breaks showed 12–30 resonances.
/// A one-shot event: <see cref="Push"/> reports it once, at the end of the shower window (0.5 s after the crash), then
/// ignores crashes for 2 s; nothing is reported before 0.5 s of history exists. Cost guards: the anti-alias sections run
/// as one block cascade over each chunk (<see cref="BlockCascade"/>), and flatness's Σ ln P takes one logarithm per 8 bins (of
/// their product). Allocation-free in steady state (the filtered chunk's scratch grows to the largest chunk seen).
/// </summary>
public sealed class GlassBreakDetector
{
    private const double FrameSeconds = 0.008, BaselineSeconds = 0.5, GuardSeconds = 0.03, ShowerSeconds = 0.5, RefractorySeconds = 2;
    private const double TopHz = 10_800;                // 0.45 × 24 kHz
    private const double JumpDb = 8, OverBaselineDb = 12, MinCrashFlatness = 0.3, FloorDb = -90;
    private const double ActiveOverBaselineDb = 6, ActiveUnderCrashDb = 30, Prominence = 4;
    private readonly double _minActiveFraction;         // the verdict's thresholds: 0.2, 6, 4 in the 3–7.2 kHz band,
    private readonly int _minResonances, _minDominant;  // 0.15, 12, 4 in the wide band (≥ 9 kHz wide at ≥ 20 kHz analysis)
    private readonly int _rate, _length, _size, _hop, _low, _high; // analysis rate; window, FFT size (zero-padded), hop
    private readonly int _decimation;                   // input samples per analysed sample
    private readonly BlockCascade? _antiAlias;          // low-pass before decimation (none at ≤ 24 kHz)
    private int _phase;                                 // input samples since the last one analysed (< _decimation)
    private float[] _filtered = [];                     // scratch: the low-passed chunk (grows to the largest chunk)
    private readonly RealFft _fft;
    private readonly float[] _window, _pending;
    private readonly double[] _power;                   // P(k) of the current frame
    private readonly double[] _bandSort;                // scratch for the band median
    private readonly double[] _energy;                  // E of the last 0.5 s, a ring
    private readonly double[] _sort;                    // scratch for the baseline median
    private bool[] _prominent, _previous, _before;      // prominent(k) in this frame, the last and the one before
    private readonly bool[] _resonance, _dominant;      // frequencies counted during the shower
    private int _filled, _ringNext, _ringCount;
    private long _consumed;
    private double _e2 = double.NegativeInfinity, _e1 = double.NegativeInfinity; // E two and one frames back
    private double _flatness1;                          // flat() one frame back
    private double? _crashAt;                           // the shower under observation
    private double _baseline, _crashDb, _quietUntil;
    private int _frames, _active, _resonances, _dominants;

    public GlassBreakDetector(int sampleRate)
    {
        // Below 32 kHz as it is (16, 22.05, 24 kHz); above, decimated to ≈ 24 kHz (48 → 24, 44.1 → 22.05 kHz): frames stay
        // 8 ms, and the band takes what the stream holds, up to 10.8 kHz.
        _decimation = sampleRate >= 32_000 ? Math.Max(1, (int)Math.Round(sampleRate / 24_000.0)) : 1;
        _antiAlias = _decimation == 1 ? null : BlockCascade.ButterworthLowPass(0.45 * sampleRate / _decimation, sampleRate);
        sampleRate /= _decimation;
        _rate = sampleRate;
        _length = Math.Max(32, (int)Math.Round(sampleRate * FrameSeconds));
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)_length);
        _hop = _length / 2;
        _fft = new RealFft(_size);
        _window = HannWindow.Shared(_length);
        _pending = SessionArray.Of<float>(_length);
        var binHz = (double)sampleRate / _size;
        _low = (int)Math.Ceiling(3000 / binHz);
        _high = Math.Min(_fft.Bins - 2, (int)Math.Floor(Math.Min(TopHz, 0.45 * sampleRate) / binHz));
        // The wide band holds more of everything: a shower's fragments (twice the resonances) and the ringing modes of
        // cutlery and speech's fricatives. Tuned on seeds 500000 at 48 kHz (40 glass breaks per background, 3.3 hours
        // of speech, music, cutlery and door slams): 6 and 4 there let 15 confusers through; 12 and 4 let 2 (cutlery)
        // and keep every glass break; a pane falling in pink noise leaves few frames over the background, hence 0.15.
        var wide = sampleRate >= 20_000;
        (_minActiveFraction, _minResonances, _minDominant) = wide ? (0.15, 12, 4) : (0.2, 6, 4);
        _power = SessionArray.Of<double>(_fft.Bins);
        _bandSort = SessionArray.Of<double>(_high - _low + 1);
        _prominent = SessionArray.Of<bool>(_fft.Bins);
        _previous = SessionArray.Of<bool>(_fft.Bins);
        _before = SessionArray.Of<bool>(_fft.Bins);
        _resonance = SessionArray.Of<bool>(_fft.Bins);
        _dominant = SessionArray.Of<bool>(_fft.Bins);
        _energy = SessionArray.Of<double>((int)Math.Ceiling(BaselineSeconds / HopSeconds));
        _sort = SessionArray.Of<double>(_energy.Length);
    }

    public double HopSeconds => (double)_hop / _rate;

    /// <summary>The evidence of the last shower judged (for diagnostics), or null before the first crash.</summary>
    public GlassShower? LastShower { get; private set; }

    /// <summary>The anti-alias low-pass before decimation, or null when the stream is analysed as it is (&lt; 32 kHz).</summary>
    public BlockCascade? AntiAlias => _antiAlias;

    /// <summary>Feeds samples; calls <paramref name="onDetected"/> with the time (s) at which a glass break is recognised.</summary>
    public void Push(ReadOnlySpan<float> samples, Action<double> onDetected)
    {
        if (_antiAlias is not null)
        {
            // The anti-alias cascade over the chunk at once (eight samples a step), then every _decimation-th sample.
            if (_filtered.Length < samples.Length) _filtered = SessionArray.Of<float>(samples.Length);
            var filtered = _filtered.AsSpan(0, samples.Length);
            _antiAlias.Process(samples, filtered);
            samples = filtered;
        }
        Analyse(samples, onDetected);
    }

    /// <summary><see cref="Push"/> for samples already low-passed by <see cref="AntiAlias"/> (fused with another cascade).</summary>
    public void PushFiltered(ReadOnlySpan<float> filtered, Action<double> onDetected)
    {
        if (_decimation == 1) throw new InvalidOperationException("this detector has no anti-alias filter: use Push.");
        Analyse(filtered, onDetected);
    }

    private void Analyse(ReadOnlySpan<float> samples, Action<double> onDetected)
    {
        // every _decimation-th sample: the next one taken is _decimation − 1 − _phase samples in (_phase: samples since the last)
        // (the fill count in a local: a field read and written per sample was a store-to-load chain)
        var i = _decimation - 1 - _phase;
        var filled = _filled;
        for (; i < samples.Length; i += _decimation)
        {
            _pending[filled++] = samples[i];
            if (filled < _length) continue;
            var time = (_consumed + _length / 2.0) / _rate;
            if (Analyse(time)) onDetected(time);
            Array.Copy(_pending, _hop, _pending, 0, _length - _hop);
            filled = _length - _hop;
            _consumed += _hop;
        }
        _filled = filled;
        _phase = _decimation - 1 - (i - samples.Length);
    }

    private bool Analyse(double time)
    {
        var re = FftScratch.Re(_fft.Bins);
        var im = FftScratch.Im(_fft.Bins);
        _fft.Forward(_pending.AsSpan(0, _length), _window, re, im);
        double sum = 0, logSum = 0, product = 1;
        var peak = _low;
        for (var k = _low; k <= _high; k++)
        {
            var p = (double)re[k] * re[k] + (double)im[k] * im[k] + 1e-20;
            _power[k] = p;
            sum += p;
            // Σ ln P as the logarithms of products of 8 (1e-20⁸ … 1e20⁸ stays inside a double): one log per 8 bins
            product *= p;
            if (((k - _low) & 7) == 7) { logSum += Math.Log(product); product = 1; }
            if (p > _power[peak]) peak = k;
        }
        logSum += Math.Log(product);
        var bins = _high - _low + 1;
        var energy = 10 * Math.Log10(sum / _length / _length);
        var flatness = Math.Exp(logSum / bins) / (sum / bins);
        var detected = false;
        if (_crashAt is { } crash)
        {
            detected = Shower(time - crash, energy, peak);
        }
        else if (_ringCount == _energy.Length && time >= _quietUntil && energy - _e2 >= JumpDb && energy > FloorDb
                 && Math.Max(flatness, _flatness1) >= MinCrashFlatness)
        {
            var baseline = Baseline();
            if (energy - baseline >= OverBaselineDb) StartShower(time, baseline, energy);
        }
        if (detected) _quietUntil = time + RefractorySeconds;
        _e2 = _e1;
        _e1 = energy;
        _flatness1 = flatness;
        _energy[_ringNext] = energy;
        _ringNext = (_ringNext + 1) % _energy.Length;
        _ringCount = Math.Min(_ringCount + 1, _energy.Length);
        return detected;
    }

    // One frame of the shower; at its end, the verdict.
    private bool Shower(double elapsed, double energy, int peak)
    {
        _frames++;
        if (energy >= Math.Max(_baseline + ActiveOverBaselineDb, _crashDb - ActiveUnderCrashDb))
        {
            _active++;
            for (var k = _low; k <= _high; k++) _bandSort[k - _low] = _power[k];
            var band = _bandSort.AsSpan();
            band.Sort();
            var threshold = Prominence * band[band.Length / 2];
            (_before, _previous, _prominent) = (_previous, _prominent, _before);
            for (var k = _low; k <= _high; k++)
                _prominent[k] = _power[k] >= threshold && _power[k] >= _power[k - 1] && _power[k] >= _power[k + 1];
            // Held: also prominent (±1 bin) two hops back, in a frame that shares no samples with this one — a peak of
            // a noise burst does not last, a ringing fragment does.
            for (var k = _low; k <= _high; k++)
            {
                if (!_prominent[k] || !(_before[k - 1] || _before[k] || _before[k + 1])) continue;
                if (Count(_resonance, k)) _resonances++;
                if (k == peak && Count(_dominant, k)) _dominants++;
            }
        }
        else
        {
            Array.Clear(_previous);
            Array.Clear(_prominent);
        }
        if (elapsed < ShowerSeconds) return false;
        _crashAt = null;
        LastShower = new GlassShower(_crashDb - _baseline, (double)_active / _frames, _resonances, _dominants);
        return LastShower.Value.ActiveFraction >= _minActiveFraction && _resonances >= _minResonances && _dominants >= _minDominant;
    }

    // Marks frequency k; true if neither it nor a neighbouring bin had been marked.
    private static bool Count(bool[] marks, int k)
    {
        var fresh = !marks[k - 1] && !marks[k] && !marks[k + 1];
        marks[k] = true;
        return fresh;
    }

    private void StartShower(double time, double baseline, double energy)
    {
        _crashAt = time;
        _baseline = baseline;
        _crashDb = energy;
        _frames = _active = _resonances = _dominants = 0;
        Array.Clear(_prominent);
        Array.Clear(_previous);
        Array.Clear(_resonance);
        Array.Clear(_dominant);
    }

    // Median of E over the full ring less its newest 30 ms; digital silence counts as −120 dB.
    private double Baseline()
    {
        var guard = (int)Math.Round(GuardSeconds / HopSeconds);
        var count = _ringCount - guard;
        for (var j = 0; j < count; j++)
        {
            var index = ((_ringNext - 1 - guard - j) % _energy.Length + _energy.Length) % _energy.Length;
            _sort[j] = Math.Max(-120, _energy[index]);
        }
        var s = _sort.AsSpan(0, count);
        s.Sort();
        return s[count / 2];
    }
}
