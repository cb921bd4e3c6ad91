using AncOrleans.Dsp;
using System.Numerics.Tensors;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// The classifier's input: one vector of <see cref="Length"/> numbers per window of ≈ 1 s of 16 kHz audio
/// (<see cref="FramesPerWindow"/> Hann frames of 32 ms, hop 16 ms: a window is complete within each second), summarising a log-mel spectrogram
/// (40 bands, 50–7000 Hz; cf. the log-mel front end of most environmental-sound classifiers, e.g. Piczak,
/// "Environmental sound classification with convolutional neural networks", MLSP 2015):
/// <code>
///   L_t[m] = 10 log10(E_t[m] + 10⁻⁶ Σ_m E_t[m])            log-mel energy of frame t, band m (floor −60 dB)
///   shape[m] = mean_t L_t[m] − mean_{t,m} L                 spectral shape, level-free          (40)
///   spread[m] = std_t L_t[m]                                how much each band fluctuates       (40)
///   flux[m] = mean_t |L_t[m] − L_{t−1}[m]|                  frame-to-frame change per band      (40)
///   frame level: std, peak − median, share of frames 6 dB over the median (impulsiveness)        (3)
///   spectral flatness and centroid: mean and std                                                 (4)
///   tonality: mean peak-to-neighbourhood ratio, share of frames whose peak bin holds still       (2)
///   envelope modulation: share of the level envelope's variance at 1–2, 3–4, 5–8, 9–14, 15–22,
///   23–30 Hz (engine firing, helicopter blades, footsteps, syllables)                             (6)
/// </code>
/// Added for real recordings (issue 12):
/// <code>
///   Δ_t[m] = Σ_{n=1,2} n (L_{t+n}[m] − L_{t−n}[m]) / 10     regression delta (Furui 1986), std_t per band  (40)
///   spectral contrast (Jiang et al., "Music type classification by spectral contrast feature", ICME 2002):
///     six octave sub-bands 0–200–400–800–1600–3200–7000 Hz; per frame, peak = mean of the top 20 % of the
///     sub-band's log powers, valley = mean of the bottom 20 %; contrast = peak − valley; mean and std over
///     time, and the valley's mean against the frame's mean log power                                  (18)
///     (the top and bottom 20 % ascending, as a full sort leaves them: by <see cref="RankSort"/> with 256-bit SIMD, else by
///     selection and sorting the ends, <see cref="SortEnds"/>; the same values in the same order either way)
///   band-wise temporal modulation (after Dau et al. 1997; the rhythm of alarms, the bark of dogs): eight
///     groups of five mel bands, each group's dB envelope e_g(t); share of its variance at 1–2, 3–5,
///     6–10, 11–20 Hz (a 61-point DFT at 62.5 frames/s, bin k ≈ k Hz)                                   (32)
///   pitch trajectory of the spectral peak (the sweep of sirens; Meucci et al. 2008 track it for sirens):
///     over frames whose peak stands ≥ 10 dB over its neighbourhood, std of log₂ f, mean |Δ log₂ f|,
///     share of steps continuing in the same direction, and the share of such tonal frames              (4)
/// </code>
/// Guards: every ratio has an ε; a window with fewer than three tonal frames gets zeros for the trajectory;
/// any non-finite number is written as 0.
/// Level-invariant by construction (the absolute level never enters), so microphone gain does not matter.
/// The resampling, framing and FFT are a <see cref="Spectrum16k"/>'s: this instance's own (<see cref="Push"/>), or one a
/// session's emergency patterns share and push (the features are the same bit for bit either way).
/// Every step reuses its buffers; a finished window allocates only its output vector.
/// </summary>
public sealed class NoiseFeatures
{
    public const int Rate = Resampler16k.OutputRate;
    public const int FrameSize = 512, Hop = 256, Bands = 40, FramesPerWindow = 61;
    public const int Length = 3 * Bands + 3 + 4 + 2 + 6 + Bands + 3 * ContrastBands + ModulationGroups * GroupRates + 4;
    public const int ContrastBands = 6, ModulationGroups = 8, GroupRates = 4;
    private static readonly int[] ContrastEdges = [0, 7, 13, 26, 52, 103, 225]; // bins of 31.25 Hz: 0, 200, 400, 800, 1600, 3200, 7000 Hz
    private static readonly int MaxContrastBand = ContrastEdges.Zip(ContrastEdges.Skip(1), (low, high) => high - low).Max(); // the widest sub-band's bins
    private static readonly int[] GroupRateEdges = [1, 3, 6, 11, 21];
    private static readonly float[] ModCos = Table(Math.Cos), ModSin = Table(Math.Sin);
    private static readonly int[] ModulationEdges = [1, 3, 5, 9, 15, 23, 31];
    private static readonly double[] LevelCos = LevelTable(Math.Cos), LevelSin = LevelTable(Math.Sin);

    private readonly MelFilterbank _mel = new(Bands, FrameSize, Rate, 50, 7000);
    private readonly float[] _logMel = SessionArray.Of<float>(FramesPerWindow * Bands); // L_t[m] at [t · Bands + m] (flat: no 2-D indexing in the loops)
    private readonly float[] _level = SessionArray.Of<float>(FramesPerWindow), _flatness = SessionArray.Of<float>(FramesPerWindow), _centroid = SessionArray.Of<float>(FramesPerWindow);
    private readonly float[] _tonality = SessionArray.Of<float>(FramesPerWindow);
    private readonly int[] _peakBin = SessionArray.Of<int>(FramesPerWindow);
    private readonly float[,] _contrast = new float[FramesPerWindow, ContrastBands], _valley = new float[FramesPerWindow, ContrastBands];
    private readonly float[] _logPower = SessionArray.Of<float>(ContrastEdges[^1]);
    private readonly float[] _sortedBand = SessionArray.Of<float>(MaxContrastBand);                        // scratch: a sub-band sorted
    private readonly float[] _rankScratch = SessionArray.Of<float>(RankSort.PaddedLength(MaxContrastBand)); // scratch for RankSort
    private readonly float[] _envelope = SessionArray.Of<float>(FramesPerWindow);
    private readonly float[] _energies = SessionArray.Of<float>(Bands);
    private readonly float[] _sorted = SessionArray.Of<float>(FramesPerWindow);
    private int _frames;
    private int _skip;                       // hops still to leave out before the first window (SkipHops)
    private readonly float[] _patch = SessionArray.Of<float>(PatchFrames * Bands);
    private bool _patchStarted;
    private readonly Spectrum16k _front;     // resampling, framing and the power spectrum (this instance's, or shared)
    private readonly bool _ownFront;
    private Action<float[]>? _onWindow;      // the consumer of finished windows: fixed, or the current Push's

    /// <summary>Features with their own front end, fed by <see cref="Push"/>.</summary>
    public NoiseFeatures(int inputRate = Rate)
    {
        _front = new Spectrum16k(inputRate);
        _ownFront = true;
        _front.FrameReady += OnFrame;
    }

    /// <summary>
    /// Features on a front end another component pushes (a session's emergency patterns, so the input is resampled and
    /// transformed once); each finished window goes to <paramref name="onWindow"/>.
    /// </summary>
    public NoiseFeatures(Spectrum16k front, Action<float[]> onWindow)
    {
        _front = front;
        _onWindow = onWindow;
        front.FrameReady += OnFrame;
    }

    public int InputRate => _front.InputRate;

    /// <summary>
    /// Leaves the next <paramref name="hops"/> hops out (no features, no work), so the windows that follow end that many
    /// hops later. A session's emergency grain offsets its windows by a phase of its id (<c>SessionPhase</c>): sessions
    /// that start together — a load test, an ECS scale-out, a reconnect storm — then finish their windows (features,
    /// CNN, trees: ≈ 0.25 ms each) spread over the second instead of in the same 100 ms of it.
    /// </summary>
    public void SkipHops(int hops)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hops);
        _skip = hops;
    }

    /// <summary>Frames of the log-mel patch the CNN reads (<see cref="LogMelCnn"/>): the window just finished and the one before (≈ 2 s).</summary>
    public const int PatchFrames = 2 * FramesPerWindow;

    /// <summary>
    /// The log-mel patch of the latest window, time-major (<c>[t · Bands + m]</c>, <see cref="PatchFrames"/> × <see cref="Bands"/>, dB):
    /// the previous window's frames, then this window's. The first window of a stream stands in for its missing
    /// predecessor (it is copied into both halves). Valid inside the <c>onWindow</c> callback and until the next window.
    /// </summary>
    public ReadOnlySpan<float> Patch => _patch;

    private void UpdatePatch()
    {
        const int half = FramesPerWindow * Bands;
        var current = _logMel.AsSpan(0, half);
        if (_patchStarted) Array.Copy(_patch, half, _patch, 0, half);
        else current.CopyTo(_patch);
        current.CopyTo(_patch.AsSpan(half));
        _patchStarted = true;
    }

    /// <summary>Feature vectors of a whole clip, one per complete window.</summary>
    public static List<float[]> Extract(ReadOnlySpan<float> signal, int sampleRate)
    {
        var extractor = new NoiseFeatures(sampleRate);
        var windows = new List<float[]>();
        extractor.Push(signal.ToArray(), windows.Add);
        return windows;
    }

    /// <summary>Feature vectors of a whole clip and each window's own log-mel frames (<see cref="FramesPerWindow"/> × <see cref="Bands"/>, time-major).</summary>
    public static List<(float[] Features, float[] LogMel)> ExtractWithLogMel(ReadOnlySpan<float> signal, int sampleRate)
    {
        var extractor = new NoiseFeatures(sampleRate);
        var windows = new List<(float[], float[])>();
        extractor.Push(signal.ToArray(), w => windows.Add((w, extractor.Patch[(FramesPerWindow * Bands)..].ToArray())));
        return windows;
    }

    /// <summary>The patch a stream has at window <paramref name="w"/> (see <see cref="Patch"/>) from the windows' own log-mel frames.</summary>
    public static void BuildPatch(IReadOnlyList<float[]> logMel, int w, Span<float> patch)
    {
        const int half = FramesPerWindow * Bands;
        logMel[Math.Max(0, w - 1)].AsSpan(0, half).CopyTo(patch);
        logMel[w].AsSpan(0, half).CopyTo(patch[half..]);
    }

    /// <summary>Takes audio at the input rate (left as it is); calls <paramref name="onWindow"/> with each finished window's features (a new array).</summary>
    public void Push(ReadOnlySpan<float> audio, Action<float[]> onWindow)
    {
        if (!_ownFront) throw new InvalidOperationException("these features read a shared front end: push the front end, not the features.");
        _onWindow = onWindow;
        try
        {
            _front.Push(audio);
        }
        finally
        {
            _onWindow = null;
        }
    }

    private void OnFrame()
    {
        if (_skip > 0)
        {
            _skip--;
            return;
        }
        AnalyseFrame(_front.Power);
        if (_frames < FramesPerWindow) return;
        var features = new float[Length];
        UpdatePatch();
        Summarise(features);
        _frames = 0;
        _onWindow?.Invoke(features);
    }

    // P(k) from the front end (FFT₅₁₂ of the Hann-windowed frame, squared) → the frame's log-mel, level, flatness,
    // centroid, tonality and contrast.
    private void AnalyseFrame(ReadOnlySpan<float> power)
    {
        _mel.Apply(power, _energies);
        var t = _frames++;
        double total = 0;
        for (var m = 0; m < Bands; m++) total += _energies[m];
        // floor 60 dB under the frame's total: bands without energy look the same at any level
        var floor = (float)(1e-6 * total + 1e-30);
        for (var m = 0; m < Bands; m++) _logMel[t * Bands + m] = 10 * MathF.Log10(_energies[m] + floor);
        _level[t] = 10 * (float)Math.Log10(total + 1e-30);
        // flatness and centroid over 100–7000 Hz (bins 3 … 224)
        const int first = 3, last = 224;
        double logSum = 0, sum = 0, weighted = 0;
        for (var k = first; k <= last; k++)
        {
            var p = power[k] + 1e-12;
            logSum += Math.Log(p);
            sum += p;
            weighted += k * p;
        }
        var count = last - first + 1;
        _flatness[t] = (float)(Math.Exp(logSum / count) / (sum / count));
        _centroid[t] = (float)(weighted / sum / last);
        // tonality: the strongest bin against its ±8-bin neighbourhood
        var peak = first + TensorPrimitives.IndexOfMax(power.Slice(first, count));
        double around = 0;
        var lo = Math.Max(first, peak - 8);
        var hi = Math.Min(last, peak + 8);
        for (var k = lo; k <= hi; k++) around += power[k];
        _tonality[t] = (float)Math.Log10(power[peak] * (hi - lo + 1) / (around + 1e-12) + 1e-6);
        _peakBin[t] = peak;
        // spectral contrast per octave sub-band: sort each sub-band's log powers in place (no allocation)
        double frameLog = 0;
        // floor 90 dB under the mean bin power: level-free, like the log-mel floor
        var binFloor = (float)(1e-9 * TensorPrimitives.Sum(power[.._logPower.Length]) / _logPower.Length + 1e-30);
        for (var k = 0; k < _logPower.Length; k++)
        {
            _logPower[k] = 10 * MathF.Log10(power[k] + binFloor);
            frameLog += _logPower[k];
        }
        frameLog /= _logPower.Length;
        for (var b = 0; b < ContrastBands; b++)
        {
            var band = _logPower.AsSpan(ContrastEdges[b], ContrastEdges[b + 1] - ContrastEdges[b]);
            var take = Math.Max(1, (int)Math.Round(0.2 * band.Length));
            if (RankSort.IsAccelerated)
            {
                // the whole sub-band sorted by counting ranks, branch-free in SIMD: its ends are SortEnds' bit for bit
                var sorted = _sortedBand.AsSpan(0, band.Length);
                RankSort.Sort(band, _rankScratch, sorted);
                band = sorted;
            }
            else SortEnds(band, take);
            var valley = TensorPrimitives.Average(band[..take]);
            var top = TensorPrimitives.Average(band[^take..]);
            _contrast[t, b] = top - valley;
            _valley[t, b] = valley - (float)frameLog;
        }
    }

    // Leaves the `take` smallest values, ascending, at the start of `values` and the `take` largest, ascending, at its end:
    // what a full sort leaves there (the same values in the same order, so their averages are the same bit for bit), by
    // selection (Hoare's FIND, CACM 1961) and sorting only the ends — a full sort of each sub-band was the features'
    // largest cost after the transform.
    private static void SortEnds(Span<float> values, int take)
    {
        if (values.Length <= 2 * take + 1)
        {
            values.Sort();
            return;
        }
        Select(values, take);
        Select(values[take..], values.Length - 2 * take);
        values[..take].Sort();
        values[^take..].Sort();
    }

    // Rearranges `values` so that values[..k] ≤ values[k] ≤ values[(k + 1)..] (k < values.Length); no NaN.
    private static void Select(Span<float> values, int k)
    {
        int lo = 0, hi = values.Length - 1;
        while (hi > lo)
        {
            var pivot = Median3(values[lo], values[(lo + hi) >> 1], values[hi]);
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i > j) break;
                (values[i], values[j]) = (values[j], values[i]);
                i++;
                j--;
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return;
        }
    }

    private static float Median3(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));

    // f(2π k t / n) for the level's modulation bins k = 1 … 30, as double (what the loop computed in place before).
    private static double[] LevelTable(Func<double, double> f)
    {
        var table = new double[(ModulationEdges[^1] - 1) * FramesPerWindow];
        for (var k = 1; k < ModulationEdges[^1]; k++)
            for (var t = 0; t < FramesPerWindow; t++) table[(k - 1) * FramesPerWindow + t] = f(2 * Math.PI * k * t / FramesPerWindow);
        return table;
    }

    private static float[] Table(Func<double, double> f)
    {
        var table = new float[(GroupRateEdges[^1] - 1) * FramesPerWindow];
        for (var k = 1; k < GroupRateEdges[^1]; k++)
            for (var t = 0; t < FramesPerWindow; t++) table[(k - 1) * FramesPerWindow + t] = (float)f(2 * Math.PI * k * t / FramesPerWindow);
        return table;
    }

    private void Summarise(Span<float> features)
    {
        const int n = FramesPerWindow;
        var f = 0;
        double grand = 0;
        for (var t = 0; t < n; t++) for (var m = 0; m < Bands; m++) grand += _logMel[t * Bands + m];
        grand /= n * Bands;
        for (var m = 0; m < Bands; m++)
        {
            double mean = 0, square = 0, flux = 0;
            for (var t = 0; t < n; t++)
            {
                var v = _logMel[t * Bands + m];
                mean += v;
                square += v * v;
                if (t > 0) flux += Math.Abs(v - _logMel[(t - 1) * Bands + m]);
            }
            mean /= n;
            features[f + m] = (float)((mean - grand) / 10);
            features[f + Bands + m] = (float)(Math.Sqrt(Math.Max(0, square / n - mean * mean)) / 10);
            features[f + 2 * Bands + m] = (float)(flux / (n - 1) / 10);
        }
        f += 3 * Bands;
        // frame level
        var levelMean = TensorPrimitives.Average(_level.AsSpan());
        double levelVar = 0;
        for (var t = 0; t < n; t++) levelVar += (_level[t] - levelMean) * (_level[t] - levelMean);
        _level.CopyTo(_sorted, 0);
        Array.Sort(_sorted);
        var median = _sorted[n / 2];
        var loud = 0;
        for (var t = 0; t < n; t++) if (_level[t] > median + 6) loud++;
        features[f++] = (float)Math.Sqrt(levelVar / n) / 10;
        features[f++] = (_sorted[n - 1] - median) / 10;
        features[f++] = (float)loud / n;
        // flatness, centroid
        features[f++] = TensorPrimitives.Average(_flatness.AsSpan());
        features[f++] = Std(_flatness);
        features[f++] = TensorPrimitives.Average(_centroid.AsSpan());
        features[f++] = Std(_centroid);
        // tonality
        features[f++] = TensorPrimitives.Average(_tonality.AsSpan());
        var still = 0;
        for (var t = 1; t < n; t++) if (Math.Abs(_peakBin[t] - _peakBin[t - 1]) <= 1) still++;
        features[f++] = (float)still / (n - 1);
        // envelope modulation spectrum of the level (frame rate 62.5 Hz: bin k of the 61-point DFT ≈ k Hz)
        double totalPower = 0;
        Span<double> bandPower = stackalloc double[ModulationEdges.Length - 1];
        for (var k = 1; k < ModulationEdges[^1]; k++)
        {
            double re = 0, im = 0;
            var row = (k - 1) * n;
            for (var t = 0; t < n; t++)
            {
                var v = _level[t] - levelMean;
                re += v * LevelCos[row + t];   // Math.Cos(2π k t / n), tabulated: the same doubles
                im -= v * LevelSin[row + t];
            }
            var p = re * re + im * im;
            totalPower += p;
            for (var b = 0; b < bandPower.Length; b++) if (k >= ModulationEdges[b] && k < ModulationEdges[b + 1]) bandPower[b] += p;
        }
        for (var b = 0; b < bandPower.Length; b++) features[f++] = (float)(bandPower[b] / (totalPower + 1e-9));
        // regression deltas: their spread per band
        for (var m = 0; m < Bands; m++)
        {
            double sum = 0, square = 0;
            for (var t = 2; t < n - 2; t++)
            {
                var d = (_logMel[(t + 1) * Bands + m] - _logMel[(t - 1) * Bands + m] + 2 * (_logMel[(t + 2) * Bands + m] - _logMel[(t - 2) * Bands + m])) / 10.0;
                sum += d;
                square += d * d;
            }
            var count = n - 4;
            features[f++] = (float)(Math.Sqrt(Math.Max(0, square / count - sum * sum / count / count)) / 10);
        }
        // spectral contrast: mean and std of the contrast, mean valley against the frame
        for (var b = 0; b < ContrastBands; b++)
        {
            double sum = 0, square = 0, valley = 0;
            for (var t = 0; t < n; t++)
            {
                sum += _contrast[t, b];
                square += _contrast[t, b] * _contrast[t, b];
                valley += _valley[t, b];
            }
            var mean = sum / n;
            features[f++] = (float)(mean / 10);
            features[f++] = (float)(Math.Sqrt(Math.Max(0, square / n - mean * mean)) / 10);
            features[f++] = (float)(valley / n / 10);
        }
        // band-wise envelope modulation
        const int perGroup = Bands / ModulationGroups;
        Span<double> ratePower = stackalloc double[GroupRates];
        for (var g = 0; g < ModulationGroups; g++)
        {
            double envelopeMean = 0;
            for (var t = 0; t < n; t++)
            {
                double energy = 0;
                for (var m = g * perGroup; m < (g + 1) * perGroup; m++) energy += MathF.Pow(10, _logMel[t * Bands + m] / 10);
                _envelope[t] = 10 * (float)Math.Log10(energy + 1e-30);
                envelopeMean += _envelope[t];
            }
            envelopeMean /= n;
            ratePower.Clear();
            double all = 0;
            for (var k = 1; k < GroupRateEdges[^1]; k++)
            {
                double re = 0, im = 0;
                var row = (k - 1) * n;
                for (var t = 0; t < n; t++)
                {
                    var v = _envelope[t] - envelopeMean;
                    re += v * ModCos[row + t];
                    im -= v * ModSin[row + t];
                }
                var p = re * re + im * im;
                all += p;
                for (var r = 0; r < GroupRates; r++) if (k >= GroupRateEdges[r] && k < GroupRateEdges[r + 1]) ratePower[r] += p;
            }
            // the share of the envelope's variance (Parseval: Σ_k |X_k|² over all k = n Σ_t v²) in each rate band
            double variance = 0;
            for (var t = 0; t < n; t++) variance += (_envelope[t] - envelopeMean) * (_envelope[t] - envelopeMean);
            var total = Math.Max(variance * n / 2, all) + 1e-9;
            for (var r = 0; r < GroupRates; r++) features[f++] = (float)(ratePower[r] / total);
        }
        // pitch trajectory over tonal frames (peak ≥ 10 dB over its neighbourhood)
        int tonal = 0, steps = 0, same = 0;
        double pitchSum = 0, pitchSquare = 0, slope = 0, previousPitch = double.NaN, previousStep = 0;
        for (var t = 0; t < n; t++)
        {
            if (_tonality[t] < 1) { previousPitch = double.NaN; continue; }
            var pitch = Math.Log2(_peakBin[t] * (double)Rate / FrameSize);
            tonal++;
            pitchSum += pitch;
            pitchSquare += pitch * pitch;
            if (!double.IsNaN(previousPitch))
            {
                var step = pitch - previousPitch;
                slope += Math.Abs(step);
                if (steps > 0 && step * previousStep > 0) same++;
                steps++;
                previousStep = step;
            }
            previousPitch = pitch;
        }
        if (tonal >= 3)
        {
            var mean = pitchSum / tonal;
            features[f++] = (float)Math.Sqrt(Math.Max(0, pitchSquare / tonal - mean * mean));
            features[f++] = steps > 0 ? (float)(slope / steps * 10) : 0;
            features[f++] = steps > 1 ? (float)same / (steps - 1) : 0;
        }
        else f += 3;
        features[f++] = (float)tonal / n;
        for (var i = 0; i < features.Length; i++) if (!float.IsFinite(features[i])) features[i] = 0;
    }

    private static float Std(float[] values)
    {
        var mean = TensorPrimitives.Average(values.AsSpan());
        double sum = 0;
        foreach (var v in values) sum += (v - mean) * (v - mean);
        return (float)Math.Sqrt(sum / values.Length);
    }
}
