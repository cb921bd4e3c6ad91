using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// Deterministic noise from a seed: Gaussian white (Box–Muller), pink (Paul Kellet's refined 1/f filter,
/// within ±0.05 dB of −3 dB/octave above 10 Hz at 44.1–48 kHz) and band-limited pink (4th-order Butterworth
/// high- and low-pass).
/// </summary>
public sealed class NoiseGenerator(int seed)
{
    private readonly Random _random = new(seed);
    private double? _spare;

    public double NextUniform() => _random.NextDouble();

    public double NextGaussian()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }
        double u1;
        do u1 = _random.NextDouble(); while (u1 <= double.Epsilon);
        var u2 = _random.NextDouble();
        var radius = Math.Sqrt(-2 * Math.Log(u1));
        _spare = radius * Math.Sin(2 * Math.PI * u2);
        return radius * Math.Cos(2 * Math.PI * u2);
    }

    public float[] White(int length)
    {
        var signal = new float[length];
        for (var i = 0; i < length; i++) signal[i] = (float)NextGaussian();
        return signal;
    }

    public float[] Pink(int length)
    {
        var signal = new float[length];
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (var i = 0; i < length; i++)
        {
            var white = NextGaussian();
            b0 = 0.99886 * b0 + white * 0.0555179;
            b1 = 0.99332 * b1 + white * 0.0750759;
            b2 = 0.96900 * b2 + white * 0.1538520;
            b3 = 0.86650 * b3 + white * 0.3104856;
            b4 = 0.55000 * b4 + white * 0.5329522;
            b5 = -0.7616 * b5 - white * 0.0168980;
            signal[i] = (float)(b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362);
            b6 = white * 0.115926;
        }
        return signal;
    }

    public float[] BandPink(int length, double sampleRate, double low, double high)
    {
        var signal = Pink(length);
        foreach (var q in Biquad.Butterworth4)
        {
            Biquad.HighPass(low, sampleRate, q).Process(signal);
            Biquad.LowPass(high, sampleRate, q).Process(signal);
        }
        return signal;
    }
}
