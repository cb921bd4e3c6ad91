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
/// Level-invariant by construction (the absolute level never enters), so microphone gain does not matter.
/// Every step reuses its buffers; a finished window allocates only its output vector.
/// </summary>
public sealed class NoiseFeatures
{
    public const int Rate = Resampler16k.OutputRate;
    public const int FrameSize = 512, Hop = 256, Bands = 40, FramesPerWindow = 61;
    public const int Length = 3 * Bands + 3 + 4 + 2 + 6;
    private static readonly int[] ModulationEdges = [1, 3, 5, 9, 15, 23, 31];

    private readonly RealFft _fft = new(FrameSize);
    private readonly MelFilterbank _mel = new(Bands, FrameSize, Rate, 50, 7000);
    private readonly float[] _window = HannWindow.Periodic(FrameSize);
    private readonly float[] _frame = new float[FrameSize];
    private readonly float[] _re, _im, _power;
    private readonly float[,] _logMel = new float[FramesPerWindow, Bands];
    private readonly float[] _level = new float[FramesPerWindow], _flatness = new float[FramesPerWindow], _centroid = new float[FramesPerWindow];
    private readonly float[] _tonality = new float[FramesPerWindow];
    private readonly int[] _peakBin = new int[FramesPerWindow];
    private readonly float[] _energies = new float[Bands];
    private readonly float[] _sorted = new float[FramesPerWindow];
    private readonly float[] _pending = new float[FrameSize];
    private int _pendingCount, _frames;
    private readonly Resampler16k _resampler;
    private readonly List<float> _resampled = new(4096);

    public NoiseFeatures(int inputRate = Rate)
    {
        _resampler = new Resampler16k(inputRate);
        _re = new float[_fft.Bins];
        _im = new float[_fft.Bins];
        _power = new float[_fft.Bins];
    }

    public int InputRate => _resampler.InputRate;

    /// <summary>Feature vectors of a whole clip, one per complete window.</summary>
    public static List<float[]> Extract(ReadOnlySpan<float> signal, int sampleRate)
    {
        var extractor = new NoiseFeatures(sampleRate);
        var windows = new List<float[]>();
        extractor.Push(signal.ToArray(), windows.Add);
        return windows;
    }

    /// <summary>Takes audio at the input rate (filtered in place); calls <paramref name="onWindow"/> with each finished window's features (a new array).</summary>
    public void Push(Span<float> audio, Action<float[]> onWindow)
    {
        _resampled.Clear();
        _resampler.Process(audio, _resampled);
        foreach (var sample in _resampled)
        {
            _pending[_pendingCount++] = sample;
            if (_pendingCount < FrameSize) continue;
            AnalyseFrame();
            Array.Copy(_pending, Hop, _pending, 0, FrameSize - Hop);
            _pendingCount = FrameSize - Hop;
            if (_frames == FramesPerWindow)
            {
                var features = new float[Length];
                Summarise(features);
                onWindow(features);
                _frames = 0;
            }
        }
    }

    private void AnalyseFrame()
    {
        TensorPrimitives.Multiply(_pending, _window, _frame);
        _fft.Forward(_frame, _re, _im);
        TensorPrimitives.Multiply(_re, _re, _power);
        TensorPrimitives.MultiplyAdd(_im, _im, _power, _power);
        _mel.Apply(_power, _energies);
        var t = _frames++;
        double total = 0;
        for (var m = 0; m < Bands; m++) total += _energies[m];
        // floor 60 dB under the frame's total: bands without energy look the same at any level
        var floor = (float)(1e-6 * total + 1e-30);
        for (var m = 0; m < Bands; m++) _logMel[t, m] = 10 * MathF.Log10(_energies[m] + floor);
        _level[t] = 10 * (float)Math.Log10(total + 1e-30);
        // flatness and centroid over 100–7000 Hz (bins 3 … 224)
        const int first = 3, last = 224;
        double logSum = 0, sum = 0, weighted = 0;
        for (var k = first; k <= last; k++)
        {
            var p = _power[k] + 1e-12;
            logSum += Math.Log(p);
            sum += p;
            weighted += k * p;
        }
        var count = last - first + 1;
        _flatness[t] = (float)(Math.Exp(logSum / count) / (sum / count));
        _centroid[t] = (float)(weighted / sum / last);
        // tonality: the strongest bin against its ±8-bin neighbourhood
        var peak = first + TensorPrimitives.IndexOfMax(_power.AsSpan(first, count));
        double around = 0;
        var lo = Math.Max(first, peak - 8);
        var hi = Math.Min(last, peak + 8);
        for (var k = lo; k <= hi; k++) around += _power[k];
        _tonality[t] = (float)Math.Log10(_power[peak] * (hi - lo + 1) / (around + 1e-12) + 1e-6);
        _peakBin[t] = peak;
    }

    private void Summarise(Span<float> features)
    {
        const int n = FramesPerWindow;
        var f = 0;
        double grand = 0;
        for (var t = 0; t < n; t++) for (var m = 0; m < Bands; m++) grand += _logMel[t, m];
        grand /= n * Bands;
        for (var m = 0; m < Bands; m++)
        {
            double mean = 0, square = 0, flux = 0;
            for (var t = 0; t < n; t++)
            {
                var v = _logMel[t, m];
                mean += v;
                square += v * v;
                if (t > 0) flux += Math.Abs(v - _logMel[t - 1, m]);
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
            for (var t = 0; t < n; t++)
            {
                var angle = 2 * Math.PI * k * t / n;
                var v = _level[t] - levelMean;
                re += v * Math.Cos(angle);
                im -= v * Math.Sin(angle);
            }
            var p = re * re + im * im;
            totalPower += p;
            for (var b = 0; b < bandPower.Length; b++) if (k >= ModulationEdges[b] && k < ModulationEdges[b + 1]) bandPower[b] += p;
        }
        for (var b = 0; b < bandPower.Length; b++) features[f++] = (float)(bandPower[b] / (totalPower + 1e-9));
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
