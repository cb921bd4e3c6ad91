using AncOrleans.Dsp;
using System.Numerics.Tensors;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// The 16 kHz front end a session's recognition shares (issue 13: one decimation, one FFT per hop): the input resampled
/// to 16 kHz (<see cref="Resampler16k"/>), cut into 512-sample periodic-Hann frames every 256 samples (32 ms, hop 16 ms),
/// and each frame's power spectrum
/// <code>
///   P(k) = Re X(k)² + Im X(k)²,   X = FFT₅₁₂(w · x),   k = 0 … 256  (31.25 Hz bins)
/// </code>
/// handed to every listener of <see cref="FrameReady"/> in the order they subscribed: the classifier's
/// <see cref="NoiseFeatures"/> and, from 32 kHz up, the emergency patterns' tone track (sirens and alarms lie under
/// 4.5 kHz). P is computed exactly as the features always computed it (window, transform, squares in float), so the
/// features are the same, bit for bit, whoever drives the front end. Allocation-free in steady state (the resampled
/// chunk's buffer grows to the largest chunk seen).
/// </summary>
public sealed class Spectrum16k
{
    /// <summary>Receives a chunk of samples, valid only inside the call.</summary>
    public delegate void SamplesHandler(ReadOnlySpan<float> samples);

    public const int Rate = Resampler16k.OutputRate, FrameSize = 512, Hop = 256;
    private readonly Resampler16k _resampler;
    private readonly Framer _framer = new(FrameSize, Hop);
    private readonly RealFft _fft = new(FrameSize);
    private readonly float[] _window = HannWindow.Shared(FrameSize);
    private readonly float[] _frame = SessionArray.Of<float>(FrameSize);       // scratch: w · x
    private readonly float[] _power = SessionArray.Of<float>(FrameSize / 2 + 1); // P(k) of the newest frame
    private readonly Action _onFrame;
    private float[] _resampled = [];                                // the last chunk at 16 kHz

    public Spectrum16k(int inputRate)
    {
        _resampler = new Resampler16k(inputRate);
        _onFrame = OnFrame;
    }

    public int InputRate => _resampler.InputRate;

    /// <summary>Raised for every new frame; read <see cref="Power"/> and <see cref="FrameStart"/> inside it.</summary>
    public event Action? FrameReady;

    /// <summary>P(k) of the newest frame (<see cref="FrameSize"/>/2 + 1 bins), valid inside <see cref="FrameReady"/>.</summary>
    public ReadOnlySpan<float> Power => _power;

    /// <summary>The 16 kHz sample index of the newest frame's first sample.</summary>
    public long FrameStart => _framer.Start;

    /// <summary>The time (s) of the newest frame's centre.</summary>
    public double FrameCentreSeconds => (_framer.Start + FrameSize / 2.0) / Rate;

    /// <summary>Resamples a chunk of input; the 16 kHz samples are valid until the next call. Then <see cref="PushResampled"/> them.</summary>
    public ReadOnlySpan<float> Resample(ReadOnlySpan<float> input)
    {
        var most = _resampler.MaxOutput(input.Length);
        if (_resampled.Length < most) _resampled = SessionArray.Of<float>(most);
        return _resampled.AsSpan(0, _resampler.Process(input, _resampled));
    }

    /// <summary>The resampler's low-pass sections (see <see cref="ResampleFiltered"/>).</summary>
    public BlockCascade LowPass => _resampler.LowPass;

    /// <summary><see cref="Resample"/> for input already low-passed by <see cref="LowPass"/> (fused with another cascade).</summary>
    public ReadOnlySpan<float> ResampleFiltered(ReadOnlySpan<float> filtered)
    {
        var most = _resampler.MaxOutput(filtered.Length);
        if (_resampled.Length < most) _resampled = SessionArray.Of<float>(most);
        return _resampled.AsSpan(0, _resampler.ProcessFiltered(filtered, _resampled));
    }

    /// <summary>Raised with every chunk of 16 kHz samples before it is framed (a pretrained tagger's own front end).</summary>
    public event SamplesHandler? Resampled;

    /// <summary>Frames 16 kHz samples (from <see cref="Resample"/>), raising <see cref="FrameReady"/> for each frame.</summary>
    public void PushResampled(ReadOnlySpan<float> resampled)
    {
        Resampled?.Invoke(resampled);
        _framer.Push(resampled, _onFrame);
    }

    /// <summary><see cref="Resample"/> then <see cref="PushResampled"/>.</summary>
    public void Push(ReadOnlySpan<float> input) => PushResampled(Resample(input));

    private void OnFrame()
    {
        TensorPrimitives.Multiply(_framer.Frame, _window, _frame);
        var re = FftScratch.Re(_fft.Bins);
        var im = FftScratch.Im(_fft.Bins);
        _fft.Forward(_frame, re, im);
        TensorPrimitives.Multiply(re, re, _power);
        TensorPrimitives.MultiplyAdd(im, im, _power, _power);
        FrameReady?.Invoke();
    }
}
