using AncOrleans.Dsp;
namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Short-time spectral peak tracker for the emergency detector: Hann-windowed frames of 21–32 ms (a yelp sweeps
/// ≈ 2 kHz/s, so longer frames smear its peak), hop ½, at
/// any sample rate. For each frame it reports the strongest peak in 300–4500 Hz (parabolic interpolation of
/// the log spectrum; Smith &amp; Serra, "PARSHL", ICMC 1987), its prominence — the power within ±2 bins of the
/// peak over the power of the whole band, so a tone 0 dB under broadband noise still stands out — and the
/// strongest peak in 50–4500 Hz (to tell a horn from a low hum's harmonics).
/// <code>
///   P(k) = |X(k)|²,   peak = argmax_{k∈[300, 4500] Hz} P(k),   prominence = Σ_{|k−peak|≤2} P(k) / Σ_{k∈[300, 4500] Hz} P(k)
/// </code>
/// Either it frames and transforms its own input (<see cref="Push"/>), or it reads a power spectrum computed elsewhere
/// (<see cref="Analyse"/>: a session at 32 kHz or more reads the shared 16 kHz front end's, 512-point frames every 16 ms,
/// the same frames as a 16 kHz stream's own). Allocation-free.
/// </summary>
public sealed class ToneAnalyzer
{
    private readonly int _sampleRate, _size;
    private readonly RealFft _fft;
    private readonly float[] _window, _power;
    private readonly Framer _framer;
    private readonly Action _onFrame;
    private Action<ToneFrame>? _consumer;       // the current Push's callback

    public ToneAnalyzer(int sampleRate)
    {
        _sampleRate = sampleRate;
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(sampleRate * 0.02));
        _fft = new RealFft(_size);
        _window = HannWindow.Shared(_size);
        _power = SessionArray.Of<float>(_fft.Bins);
        _framer = new Framer(_size, _size / 2);
        _onFrame = () => _consumer!(Transform());
    }

    public double HopSeconds => (double)_framer.Hop / _sampleRate;

    /// <summary>The frame length (samples at the analyser's rate): a spectrum given to <see cref="Analyse"/> has Size/2 + 1 bins.</summary>
    public int Size => _size;

    /// <summary>Feeds samples; calls <paramref name="onFrame"/> for every complete frame.</summary>
    public void Push(ReadOnlySpan<float> samples, Action<ToneFrame> onFrame)
    {
        _consumer = onFrame;
        _framer.Push(samples, _onFrame);
    }

    private ToneFrame Transform()
    {
        var re = FftScratch.Re(_fft.Bins);
        var im = FftScratch.Im(_fft.Bins);
        _fft.Forward(_framer.Frame, _window, re, im);
        for (var k = 0; k < _power.Length; k++) _power[k] = re[k] * re[k] + im[k] * im[k];
        return Analyse(_power, (_framer.Start + _size / 2.0) / _sampleRate);
    }

    /// <summary>The frame of a Hann-windowed <see cref="Size"/>-point power spectrum P(k) whose centre is at <paramref name="timeSeconds"/>.</summary>
    public ToneFrame Analyse(ReadOnlySpan<float> power, double timeSeconds)
    {
        if (power.Length != _fft.Bins) throw new ArgumentException($"a {_size}-point spectrum has {_fft.Bins} bins, got {power.Length}.");
        double total = 0;
        var binHz = (double)_sampleRate / _size;
        var lastBin = power.Length - 2;
        int Bin(double hz) => Math.Clamp((int)Math.Round(hz / binHz), 1, lastBin);
        int low = Bin(300), high = Bin(4500), floor = Bin(50);
        var peak = low;
        for (var k = low; k <= high; k++)
        {
            total += power[k];
            if (power[k] > power[peak]) peak = k;
        }
        var lowest = floor;
        for (var k = floor; k <= high; k++) if (power[k] > power[lowest]) lowest = k;
        double around = 0;
        for (var k = Math.Max(low, peak - 2); k <= Math.Min(high, peak + 2); k++) around += power[k];
        var level = 10 * Math.Log10(total / _size / _size + 1e-20);
        return new ToneFrame(timeSeconds, Interpolate(power, peak) * binHz, total > 0 ? around / total : 0, Interpolate(power, lowest) * binHz, level);
    }

    private static double Interpolate(ReadOnlySpan<float> power, int k)
    {
        double a = Math.Log(power[k - 1] + 1e-30), b = Math.Log(power[k] + 1e-30), c = Math.Log(power[k + 1] + 1e-30);
        var d = a - 2 * b + c;
        return k + (d < 0 ? 0.5 * (a - c) / d : 0);
    }
}
