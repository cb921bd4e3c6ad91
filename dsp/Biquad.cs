namespace AncOrleans.Dsp;

/// <summary>
/// Second-order IIR section, transposed direct form II, with the low/high/band-pass designs of
/// R. Bristow-Johnson's "Audio EQ Cookbook":
/// <code>
///   y(n) = b0 x(n) + b1 x(n−1) + b2 x(n−2) − a1 y(n−1) − a2 y(n−2)
/// </code>
/// Used by the acoustic bench to shape noise; per session the anti-alias filters of the 16 kHz front end and the
/// glass-break detector are pairs of these run as one <see cref="BlockCascade"/>.
/// </summary>
public sealed class Biquad
{
    private double _b0, _b1, _b2, _a1, _a2; // normalised coefficients (a0 = 1)
    private double _s1, _s2;                // TDF-II state

    private Biquad(double b0, double b1, double b2, double a0, double a1, double a2) => Set(b0, b1, b2, a0, a1, a2);

    private void Set(double b0, double b1, double b2, double a0, double a1, double a2)
    {
        _b0 = b0 / a0; _b1 = b1 / a0; _b2 = b2 / a0; _a1 = a1 / a0; _a2 = a2 / a0;
    }

    public static Biquad LowPass(double cutoff, double sampleRate, double q = 0.70710678118654752)
    {
        var (cos, alpha) = Prewarp(cutoff, sampleRate, q);
        return new Biquad((1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    public static Biquad HighPass(double cutoff, double sampleRate, double q = 0.70710678118654752)
    {
        var (cos, alpha) = Prewarp(cutoff, sampleRate, q);
        return new Biquad((1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha);
    }

    /// <summary>Band-pass with 0 dB peak gain.</summary>
    public static Biquad BandPass(double centre, double sampleRate, double q)
    {
        var (cos, alpha) = Prewarp(centre, sampleRate, q);
        return new Biquad(alpha, 0, -alpha, 1 + alpha, -2 * cos, 1 - alpha);
    }

    /// <summary>Retunes a band-pass in place, keeping its state (for time-varying formants).</summary>
    public void RetuneBandPass(double centre, double sampleRate, double q)
    {
        var (cos, alpha) = Prewarp(centre, sampleRate, q);
        Set(alpha, 0, -alpha, 1 + alpha, -2 * cos, 1 - alpha);
    }

    private static (double Cos, double Alpha) Prewarp(double frequency, double sampleRate, double q)
    {
        var w0 = 2 * Math.PI * Math.Clamp(frequency, 1, 0.49 * sampleRate) / sampleRate;
        return (Math.Cos(w0), Math.Sin(w0) / (2 * q));
    }

    /// <summary>The normalised coefficients (a0 = 1), for <see cref="BlockCascade"/>.</summary>
    internal (double B0, double B1, double B2, double A1, double A2) Coefficients => (_b0, _b1, _b2, _a1, _a2);

    /// <summary>The TDF-II state, for <see cref="BlockCascade"/>.</summary>
    internal (double S1, double S2) State => (_s1, _s2);

    public float Process(float x)
    {
        var y = _b0 * x + _s1;
        _s1 = _b1 * x - _a1 * y + _s2;
        _s2 = _b2 * x - _a2 * y;
        return (float)y;
    }

    public void Process(Span<float> signal)
    {
        for (var i = 0; i < signal.Length; i++) signal[i] = Process(signal[i]);
    }

    /// <summary>Q values of the two sections of a 4th-order Butterworth.</summary>
    public static readonly double[] Butterworth4 = [0.5411961, 1.3065630];
}
