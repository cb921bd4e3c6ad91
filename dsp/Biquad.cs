namespace AncOrleans.Dsp;

/// <summary>
/// Second-order IIR section, transposed direct form II, with the low/high/band-pass designs of
/// R. Bristow-Johnson's "Audio EQ Cookbook":
/// <code>
///   y(n) = b0 x(n) + b1 x(n−1) + b2 x(n−2) − a1 y(n−1) − a2 y(n−2)
/// </code>
/// Used by the acoustic bench to shape noise, and per session as the anti-alias filters of the 16 kHz front end and the glass-break detector.
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

    /// <summary>
    /// <paramref name="output"/>(n) = second(first(<paramref name="input"/>(n))): the same arithmetic, bit for bit, as
    /// <see cref="Process(float)"/> on each section in turn, but both sections' state in registers and one loop (no loads
    /// and stores of the state per sample and section). <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    public static void ProcessCascade(Biquad first, Biquad second, ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length) throw new ArgumentException($"output holds {output.Length} samples, input {input.Length}.");
        double b0 = first._b0, b1 = first._b1, b2 = first._b2, a1 = first._a1, a2 = first._a2, s1 = first._s1, s2 = first._s2;
        double c0 = second._b0, c1 = second._b1, c2 = second._b2, d1 = second._a1, d2 = second._a2, t1 = second._s1, t2 = second._s2;
        for (var i = 0; i < input.Length; i++)
        {
            double x = input[i];
            var y = b0 * x + s1;
            s1 = b1 * x - a1 * y + s2;
            s2 = b2 * x - a2 * y;
            double u = (float)y;
            var v = c0 * u + t1;
            t1 = c1 * u - d1 * v + t2;
            t2 = c2 * u - d2 * v;
            output[i] = (float)v;
        }
        (first._s1, first._s2, second._s1, second._s2) = (s1, s2, t1, t2);
    }

    /// <summary>
    /// Two cascades over the same input in one loop: <paramref name="outputA"/> = <see cref="ProcessCascade"/>(a1, a2) and
    /// <paramref name="outputB"/> = <see cref="ProcessCascade"/>(b1, b2), the same numbers bit for bit. Each cascade is a chain
    /// of dependent multiply-adds (latency-bound, ≈ 8 cycles a sample); two independent chains in one loop run in about the
    /// time of one. Used where one stream feeds two decimators (the 16 kHz front end and the glass detector's 24 kHz).
    /// </summary>
    public static void ProcessCascades(Biquad a1, Biquad a2, Biquad b1, Biquad b2, ReadOnlySpan<float> input, Span<float> outputA, Span<float> outputB)
    {
        if (outputA.Length < input.Length || outputB.Length < input.Length)
            throw new ArgumentException($"outputs hold {outputA.Length} and {outputB.Length} samples, input {input.Length}.");
        double p0 = a1._b0, p1 = a1._b1, p2 = a1._b2, pa1 = a1._a1, pa2 = a1._a2, ps1 = a1._s1, ps2 = a1._s2;
        double q0 = a2._b0, q1 = a2._b1, q2 = a2._b2, qa1 = a2._a1, qa2 = a2._a2, qs1 = a2._s1, qs2 = a2._s2;
        double r0 = b1._b0, r1 = b1._b1, r2 = b1._b2, ra1 = b1._a1, ra2 = b1._a2, rs1 = b1._s1, rs2 = b1._s2;
        double t0 = b2._b0, t1 = b2._b1, t2 = b2._b2, ta1 = b2._a1, ta2 = b2._a2, ts1 = b2._s1, ts2 = b2._s2;
        for (var i = 0; i < input.Length; i++)
        {
            double x = input[i];
            var y = p0 * x + ps1;
            var z = r0 * x + rs1;
            ps1 = p1 * x - pa1 * y + ps2;
            rs1 = r1 * x - ra1 * z + rs2;
            ps2 = p2 * x - pa2 * y;
            rs2 = r2 * x - ra2 * z;
            double u = (float)y;
            double w = (float)z;
            var v = q0 * u + qs1;
            var o = t0 * w + ts1;
            qs1 = q1 * u - qa1 * v + qs2;
            ts1 = t1 * w - ta1 * o + ts2;
            qs2 = q2 * u - qa2 * v;
            ts2 = t2 * w - ta2 * o;
            outputA[i] = (float)v;
            outputB[i] = (float)o;
        }
        (a1._s1, a1._s2, a2._s1, a2._s2) = (ps1, ps2, qs1, qs2);
        (b1._s1, b1._s2, b2._s1, b2._s2) = (rs1, rs2, ts1, ts2);
    }

    /// <summary>Q values of the two sections of a 4th-order Butterworth.</summary>
    public static readonly double[] Butterworth4 = [0.5411961, 1.3065630];
}
