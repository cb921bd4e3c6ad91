namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Short-time spectral peak tracker for the emergency detector: Hann-windowed frames of 21–32 ms (a yelp sweeps
/// ≈ 2 kHz/s, so longer frames smear its peak), hop ½, at
/// any sample rate. For each frame it reports the strongest peak in 300–4500 Hz (parabolic interpolation of
/// the log spectrum; Smith &amp; Serra, "PARSHL", ICMC 1987), its prominence — the power within ±2 bins of the
/// peak over the power of the whole band, so a tone 0 dB under broadband noise still stands out — and the
/// strongest peak in 50–4500 Hz (to tell a horn from a low hum's harmonics).
/// </summary>
public sealed class ToneAnalyzer
{
    private readonly int _sampleRate, _size, _hop;
    private readonly RealFft _fft;
    private readonly float[] _window, _power;
    private readonly float[] _pending;          // samples not yet analysed
    private int _filled;
    private long _consumed;                     // samples consumed before _pending[0]

    public ToneAnalyzer(int sampleRate)
    {
        _sampleRate = sampleRate;
        _size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(sampleRate * 0.02));
        _hop = _size / 2;
        _fft = new RealFft(_size);
        _window = HannWindow.Shared(_size);
        _power = new float[_fft.Bins];
        _pending = new float[_size];
    }

    public double HopSeconds => (double)_hop / _sampleRate;

    /// <summary>Feeds samples; calls <paramref name="onFrame"/> for every complete frame.</summary>
    public void Push(ReadOnlySpan<float> samples, Action<ToneFrame> onFrame)
    {
        // Block copies up to each frame's end (the same frames as sample by sample).
        while (!samples.IsEmpty)
        {
            var take = Math.Min(_size - _filled, samples.Length);
            samples[..take].CopyTo(_pending.AsSpan(_filled));
            samples = samples[take..];
            _filled += take;
            if (_filled < _size) return;
            onFrame(Analyse());
            Array.Copy(_pending, _hop, _pending, 0, _size - _hop);
            _filled = _size - _hop;
            _consumed += _hop;
        }
    }

    private ToneFrame Analyse()
    {
        var re = FftScratch.Re(_fft.Bins);
        var im = FftScratch.Im(_fft.Bins);
        _fft.Forward(_pending, _window, re, im);
        double total = 0;
        for (var k = 0; k < _power.Length; k++) _power[k] = re[k] * re[k] + im[k] * im[k];
        var binHz = (double)_sampleRate / _size;
        int Bin(double hz) => Math.Clamp((int)Math.Round(hz / binHz), 1, _power.Length - 2);
        int low = Bin(300), high = Bin(4500), floor = Bin(50);
        var peak = low;
        for (var k = low; k <= high; k++)
        {
            total += _power[k];
            if (_power[k] > _power[peak]) peak = k;
        }
        var lowest = floor;
        for (var k = floor; k <= high; k++) if (_power[k] > _power[lowest]) lowest = k;
        double around = 0;
        for (var k = Math.Max(low, peak - 2); k <= Math.Min(high, peak + 2); k++) around += _power[k];
        var time = (_consumed + _size / 2.0) / _sampleRate;
        var level = 10 * Math.Log10(total / _size / _size + 1e-20);
        return new ToneFrame(time, Interpolate(peak) * binHz, total > 0 ? around / total : 0, Interpolate(lowest) * binHz, level);
    }

    private double Interpolate(int k)
    {
        double a = Math.Log(_power[k - 1] + 1e-30), b = Math.Log(_power[k] + 1e-30), c = Math.Log(_power[k + 1] + 1e-30);
        var d = a - 2 * b + c;
        return k + (d < 0 ? 0.5 * (a - c) / d : 0);
    }
}
