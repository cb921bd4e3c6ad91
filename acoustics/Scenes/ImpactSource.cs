using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// Impact sounds by modal synthesis: an excitation (a short noise burst) rings a set of damped modes,
/// <code>
///   y(t) = Σ_m a_m e^{−(t − t_m)/τ_m} sin(2π f_m (t − t_m) + φ_m),   t ≥ t_m
/// </code>
/// (van den Doel, Kry &amp; Pai, "FoleyAutomatic: physically-based sound effects for interactive simulation and
/// animation", SIGGRAPH 2001). A glass break adds the stochastic "shower" of Cook's PhISEM particle model ("Physically
/// informed sonic modeling (PhISM): synthesis of percussive sounds", Computer Music Journal 21(3), 1997): many
/// fragments landing at random times, each a click and one to three short high resonances.
/// Everything varies with the seed; nothing is placed above 0.45 × the sample rate, and a sound's spectrum below that
/// is the same at 16 and 48 kHz.
/// </summary>
public static class ImpactSource
{
    /// <summary>
    /// A pane breaking at 0.5–2 s: a 2–8 ms bright crash with four to eight 1.5 kHz+ pane modes (20–80 ms), then
    /// 15–60 fragments over 0.3–1.5 s (denser early, quieter late), each a click and one to three 3–10 kHz modes
    /// of 3–40 ms.
    /// </summary>
    public static float[] GlassBreak(int n, int rate, NoiseGenerator random)
    {
        var signal = new float[n];
        AddGlassBreak(signal, (0.5 + 1.5 * random.NextUniform()) * rate, rate, random);
        return signal;
    }

    /// <summary>Adds one breaking pane (as <see cref="GlassBreak"/> describes) whose crash starts at sample <paramref name="onset"/>.</summary>
    public static void AddGlassBreak(float[] signal, double onset, int rate, NoiseGenerator random)
    {
        var top = Math.Min(10_000, 0.45 * rate);
        Burst(signal, (int)onset, rate, 0.002 + 0.006 * random.NextUniform(), 1.0, random);
        var modes = 4 + (int)(5 * random.NextUniform());
        for (var m = 0; m < modes; m++)
            Mode(signal, (int)onset, rate, LogUniform(1500, top, random), 0.02 + 0.06 * random.NextUniform(), 0.2 + 0.3 * random.NextUniform(), random);
        var fragments = 15 + (int)(46 * random.NextUniform());
        var shower = 0.3 + 1.2 * random.NextUniform();
        for (var i = 0; i < fragments; i++)
        {
            var u = random.NextUniform();
            var delay = 0.01 + shower * u * u;
            var at = (int)(onset + delay * rate);
            var amplitude = (0.1 + 0.4 * random.NextUniform()) * Math.Exp(-delay / (0.6 * shower));
            Burst(signal, at, rate, 0.0005, 0.5 * amplitude, random);
            var rings = 1 + (int)(3 * random.NextUniform());
            for (var r = 0; r < rings; r++)
                Mode(signal, at, rate, LogUniform(3000, top, random), 0.003 + 0.037 * random.NextUniform(), amplitude, random);
        }
    }

    /// <summary>
    /// A fork or spoon dropped every 4–8 s: it bounces two to four times (each gap 0.6 × the last, from 0.1–0.3 s),
    /// and every bounce rings the same three to five 2–9 kHz modes (50–300 ms), a little weaker each time.
    /// </summary>
    public static float[] Cutlery(int n, int rate, NoiseGenerator random)
    {
        var signal = new float[n];
        var top = Math.Min(9_000, 0.45 * rate);
        Span<double> hz = stackalloc double[5], tau = stackalloc double[5];
        for (var t = (1 + 3 * random.NextUniform()) * rate; t < n; t += (4 + 4 * random.NextUniform()) * rate)
        {
            var modes = 3 + (int)(3 * random.NextUniform());
            for (var m = 0; m < modes; m++) { hz[m] = LogUniform(2000, top, random); tau[m] = 0.05 + 0.25 * random.NextUniform(); }
            var bounces = 2 + (int)(3 * random.NextUniform());
            double at = t, gap = 0.1 + 0.2 * random.NextUniform(), amplitude = 1;
            for (var b = 0; b < bounces; b++, at += gap * rate, gap *= 0.6, amplitude *= 0.5 + 0.2 * random.NextUniform())
            {
                Burst(signal, (int)at, rate, 0.0005, 0.5 * amplitude, random);
                for (var m = 0; m < modes; m++) Mode(signal, (int)at, rate, hz[m], tau[m], amplitude * (0.3 + 0.7 * random.NextUniform()), random);
            }
        }
        return signal;
    }

    /// <summary>A door slammed every 5–10 s: a 3–10 ms broadband impact, a 60–150 Hz thump and a few 200–1500 Hz panel modes.</summary>
    public static float[] DoorSlam(int n, int rate, NoiseGenerator random)
    {
        var signal = new float[n];
        for (var t = (1 + 3 * random.NextUniform()) * rate; t < n; t += (5 + 5 * random.NextUniform()) * rate)
        {
            Burst(signal, (int)t, rate, 0.003 + 0.007 * random.NextUniform(), 0.6, random);
            Mode(signal, (int)t, rate, 60 + 90 * random.NextUniform(), 0.05 + 0.05 * random.NextUniform(), 1.0, random);
            var modes = 2 + (int)(4 * random.NextUniform());
            for (var m = 0; m < modes; m++)
                Mode(signal, (int)t, rate, LogUniform(200, 1500, random), 0.02 + 0.08 * random.NextUniform(), 0.2 + 0.3 * random.NextUniform(), random);
        }
        return signal;
    }

    // A decaying noise burst e^{−t/τ} over 8 τ: white noise band-limited to 1 kHz … min(10 kHz, 0.45 fs) (4th-order
    // Butterworth), scaled by √(fs / 16 kHz) so that its power per hertz — what a band detector sees — does not depend
    // on the sample rate.
    private static void Burst(float[] signal, int start, int rate, double tau, double amplitude, NoiseGenerator random)
    {
        var length = Math.Min(signal.Length - start, (int)(8 * tau * rate));
        if (length <= 0) return;
        var noise = random.White(length);
        foreach (var q in Biquad.Butterworth4)
        {
            Biquad.HighPass(1000, rate, q).Process(noise);
            Biquad.LowPass(Math.Min(10_000, 0.45 * rate), rate, q).Process(noise);
        }
        var scale = amplitude * Math.Sqrt(rate / 16_000.0);
        for (var i = 0; i < length; i++) signal[start + i] += (float)(scale * Math.Exp(-i / (tau * rate)) * noise[i]);
    }

    // One damped mode a e^{−t/τ} sin(2π f t + φ), rendered until it has decayed by 60 dB (7 τ).
    private static void Mode(float[] signal, int start, int rate, double hz, double tau, double amplitude, NoiseGenerator random)
    {
        var phase = 2 * Math.PI * random.NextUniform();
        var length = Math.Min(signal.Length - start, (int)(7 * tau * rate));
        for (var i = 0; i < length; i++)
            signal[start + i] += (float)(amplitude * Math.Exp(-i / (tau * rate)) * Math.Sin(2 * Math.PI * hz * i / rate + phase));
    }

    private static double LogUniform(double low, double high, NoiseGenerator random) => low * Math.Pow(high / low, random.NextUniform());
}
