using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// The bench's scenarios, deterministic by seed. Each source s(n) is scaled so the ear noise d = P*s has an
/// RMS of 0.1 (−20 dBFS); x = s + sensor noise at −60 dB; d also carries independent ear-side noise at −60 dB.
/// <list type="table">
/// <item><term>hum</term><description>100 Hz + 4 harmonics (amplitudes 1, .7, .5, .35, .25), white floor at −40 dB.</description></item>
/// <item><term>hum-drift</term><description>the same with f0 wandering ±0.5 Hz (three slow sinusoids).</description></item>
/// <item><term>engine-runup</term><description>6 engine orders, f0 = 70 − 40 cos(2t) Hz: 30–110 Hz, at up to 80 Hz/s; pink floor −35 dB.</description></item>
/// <item><term>fan</term><description>blade-pass 168 Hz (7 blades, 1440 rpm) + 2 harmonics + shaft tone, 0.3 % speed wobble, pink floor −15 dB.</description></item>
/// <item><term>broadband</term><description>pink noise 60–1000 Hz; reference 1 ms ahead of the ear.</description></item>
/// <item><term>broadband-lead</term><description>the same, with the reference leading the ear by D + S's delay + 2 ms.</description></item>
/// <item><term>babble</term><description>six synthetic talkers.</description></item>
/// </list>
/// </summary>
public static class Scenarios
{
    public static readonly IReadOnlyList<string> Names =
        ["hum", "hum-drift", "engine-runup", "fan", "broadband", "broadband-lead", "babble"];

    public const double DefaultLeadMs = 1.0;

    /// <param name="delayMs">The loop delay D; only <c>broadband-lead</c> depends on it (its lead exceeds D).</param>
    public static AcousticScene Create(string name, int sampleRate, double seconds, double delayMs, int seed = 1)
    {
        var length = (int)Math.Round(seconds * sampleRate);
        var random = new NoiseGenerator(seed * 7919 + NameSeed(name));
        var leadMs = DefaultLeadMs;
        float[] source;
        switch (name)
        {
            case "hum":
                source = Tonal(length, sampleRate, _ => 100, [1, 0.7, 0.5, 0.35, 0.25], random, floorDb: -40, pinkFloor: false);
                break;
            case "hum-drift":
                {
                    var p1 = 2 * Math.PI * random.NextUniform();
                    var p2 = 2 * Math.PI * random.NextUniform();
                    var p3 = 2 * Math.PI * random.NextUniform();
                    source = Tonal(length, sampleRate,
                        t => 100 + 0.5 * (0.5 * Math.Sin(2 * Math.PI * 0.07 * t + p1) + 0.3 * Math.Sin(2 * Math.PI * 0.19 * t + p2) + 0.2 * Math.Sin(2 * Math.PI * 0.41 * t + p3)),
                        [1, 0.7, 0.5, 0.35, 0.25], random, floorDb: -40, pinkFloor: false);
                    break;
                }
            case "engine-runup":
                source = Tonal(length, sampleRate, t => 70 - 40 * Math.Cos(2 * t), [1, 0.6, 0.4, 0.25, 0.15, 0.1], random, floorDb: -35, pinkFloor: true);
                break;
            case "fan":
                {
                    var wobble = 2 * Math.PI * random.NextUniform();
                    var blades = Tonal(length, sampleRate, t => 168 * (1 + 0.003 * Math.Sin(2 * Math.PI * 0.3 * t + wobble)), [1, 0.5, 0.25], random, floorDb: -15, pinkFloor: true);
                    var shaft = HarmonicSource.Render(length, sampleRate, t => 24 * (1 + 0.003 * Math.Sin(2 * Math.PI * 0.3 * t + wobble)), [0.15], random);
                    source = Add(blades, shaft);
                    break;
                }
            case "broadband":
                source = random.BandPink(length, sampleRate, 60, 1000);
                break;
            case "broadband-lead":
                source = random.BandPink(length, sampleRate, 60, 1000);
                leadMs = delayMs + AcousticPaths.SecondaryDelayMs + 2.0;
                break;
            case "babble":
                source = BabbleSource.Render(length, sampleRate, 6, random);
                break;
            default:
                throw new ArgumentException($"Unknown scenario '{name}'. Known: {string.Join(", ", Names)}.");
        }
        return Build(name, sampleRate, source, leadMs, random);
    }

    /// <summary>A scene from a user's own recordings: x is the reference mic, d the error mic without ANC.</summary>
    public static AcousticScene FromRecordings(string name, int sampleRate, float[] reference, float[] disturbance) => new()
    {
        Name = name,
        SampleRate = sampleRate,
        Reference = reference,
        Disturbance = disturbance,
        PrimaryPath = [],
        SecondaryPath = AcousticPaths.Secondary(sampleRate),
        AcousticLeadMs = double.NaN,
    };

    /// <summary>
    /// A scene from any recording of a noise (mono, or the mean of its channels), through the bench's primary path
    /// with a lead of <paramref name="leadMs"/> (the reference mic ahead of the ear) and its secondary path, scaled
    /// and given sensor noise like every bench scene: a user's own noise without a two-microphone rig.
    /// </summary>
    public static AcousticScene FromNoise(string name, int sampleRate, float[] source, double leadMs = DefaultLeadMs, int seed = 1)
    {
        if (source.Length < sampleRate / 10) throw new ArgumentException($"{name}: a recording needs at least 100 ms of audio.");
        if (!double.IsFinite(leadMs) || leadMs is < 0 or > 1000) throw new ArgumentException($"lead {leadMs} ms is outside 0–1000.");
        var random = new NoiseGenerator(seed * 7919 + NameSeed(name));
        return Build(name, sampleRate, source, leadMs, random);
    }

    private static int NameSeed(string name)
    {
        var hash = 17;
        foreach (var c in name) hash = unchecked(hash * 31 + c); // stable across runs, unlike string.GetHashCode
        return hash & 0xFFFF;
    }

    private static float[] Tonal(int length, int sampleRate, Func<double, double> f0, double[] amplitudes, NoiseGenerator random, double floorDb, bool pinkFloor)
    {
        var tones = HarmonicSource.Render(length, sampleRate, f0, amplitudes, random);
        var floor = pinkFloor ? random.BandPink(length, sampleRate, 20, 8000) : random.White(length);
        return Add(tones, Scale(floor, Rms(tones) * Math.Pow(10, floorDb / 20) / Rms(floor)));
    }

    private static AcousticScene Build(string name, int sampleRate, float[] source, double leadMs, NoiseGenerator random)
    {
        var primary = AcousticPaths.Primary(sampleRate, leadMs, random);
        var atEar = FirFilter.Convolve(source, primary);
        var gain = 0.1 / Math.Max(Rms(atEar), 1e-12);
        var reference = Scale(source, gain);
        var disturbance = Scale(atEar, gain);
        var sensor = random.White(source.Length);
        var ambient = random.White(source.Length);
        var level = 0.1 * 1e-3;
        for (var n = 0; n < source.Length; n++)
        {
            reference[n] += (float)(level * sensor[n]);
            disturbance[n] += (float)(level * ambient[n]);
        }
        return new AcousticScene
        {
            Name = name,
            SampleRate = sampleRate,
            Reference = reference,
            Disturbance = disturbance,
            PrimaryPath = primary,
            SecondaryPath = AcousticPaths.Secondary(sampleRate),
            AcousticLeadMs = leadMs,
        };
    }

    public static double Rms(ReadOnlySpan<float> signal)
    {
        double sum = 0;
        foreach (var value in signal) sum += value * value;
        return Math.Sqrt(sum / Math.Max(1, signal.Length));
    }

    private static float[] Scale(float[] signal, double gain)
    {
        var scaled = new float[signal.Length];
        for (var i = 0; i < signal.Length; i++) scaled[i] = (float)(signal[i] * gain);
        return scaled;
    }

    private static float[] Add(float[] a, float[] b)
    {
        var sum = new float[a.Length];
        for (var i = 0; i < a.Length; i++) sum[i] = a[i] + b[i];
        return sum;
    }
}
