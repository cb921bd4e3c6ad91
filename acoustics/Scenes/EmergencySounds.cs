using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// Deterministic synthetic emergency and confusable sounds for training and testing the detector, and the
/// backgrounds they are mixed into. Parameters vary with the seed (pitch, rate, harmonic mix):
/// sirens after the common wail (≈ 600–1500 Hz over 3–6 s), yelp (same range, 0.2–0.4 s) and hi-lo (two tones
/// alternating every 0.5–0.7 s); smoke alarm T3 and CO alarm T4 (ISO 8201) at 2.9–3.5 kHz; a two-tone car horn; a glass
/// break (<see cref="ImpactSource.GlassBreak"/>, starting 0.5–2 s in).
/// Confusers: a decaying two-note doorbell, music (notes and chords with onsets), speech-like babble, mains hum, and
/// two impulsive sounds for the glass-break test: dropped cutlery (metal rings) and door slams.
/// Training only (not one of <see cref="Confusers"/>, so the eval's sets are unchanged): <c>chime</c>, a doorbell that
/// repeats — two decaying notes alternating until the clip ends (Westminster-style and ding-dong chimes repeat their
/// notes; alternating held tones are what a hi-lo siren is, and only the decay tells them apart).
/// </summary>
public static class EmergencySounds
{
    public static readonly string[] Emergencies = [EmergencyKind.Siren, EmergencyKind.SmokeAlarm, EmergencyKind.CoAlarm, EmergencyKind.CarHorn, EmergencyKind.GlassBreak];
    public static readonly string[] Confusers = ["doorbell", "music", "speech", "hum", "cutlery", "door_slam"];
    public static readonly string[] Backgrounds = ["pink_noise", "babble", "traffic"];

    public static float[] Create(string kind, int sampleRate, double seconds, NoiseGenerator random)
    {
        var n = (int)(seconds * sampleRate);
        var r = random.NextUniform();
        return kind switch
        {
            EmergencyKind.Siren => Siren(n, sampleRate, random),
            EmergencyKind.SmokeAlarm => Temporal(n, sampleRate, 2900 + 600 * r, on: 0.5, off: 0.5, pulses: 3, pause: 1.5),
            EmergencyKind.CoAlarm => Temporal(n, sampleRate, 2900 + 600 * r, on: 0.1, off: 0.1, pulses: 4, pause: 5.0),
            EmergencyKind.CarHorn => Tones(n, sampleRate, [400 + 60 * r, 500 + 75 * r], _ => 1.0),
            EmergencyKind.GlassBreak => ImpactSource.GlassBreak(n, sampleRate, random),
            "doorbell" => Doorbell(n, sampleRate, 600 + 200 * r),
            "chime" => Chime(n, sampleRate, random),
            "music" => Music(n, sampleRate, random),
            "speech" => BabbleSource.Render(n, sampleRate, 1, random),
            "hum" => HarmonicSource.Render(n, sampleRate, _ => 50 + 10 * r, [1, 0.7, 0.5, 0.35, 0.25], random),
            "cutlery" => ImpactSource.Cutlery(n, sampleRate, random),
            "door_slam" => ImpactSource.DoorSlam(n, sampleRate, random),
            _ => throw new ArgumentException($"Unknown sound '{kind}'."),
        };
    }

    public static float[] Background(string kind, int sampleRate, double seconds, NoiseGenerator random)
    {
        var n = (int)(seconds * sampleRate);
        return kind switch
        {
            "pink_noise" => random.BandPink(n, sampleRate, 50, Math.Min(8000, 0.45 * sampleRate)),
            "babble" => BabbleSource.Render(n, sampleRate, 6, random),
            "traffic" => Traffic(n, sampleRate, random),
            _ => throw new ArgumentException($"Unknown background '{kind}'."),
        };
    }

    /// <summary>signal + background scaled to the given SNR (power ratio over the signal's active part).</summary>
    public static float[] Mix(float[] signal, float[] background, double snrDb)
    {
        double ps = 0, pb = 0;
        var active = 0;
        for (var i = 0; i < signal.Length; i++)
        {
            if (Math.Abs(signal[i]) > 1e-4) { ps += signal[i] * signal[i]; active++; }
            pb += background[i] * background[i];
        }
        ps /= Math.Max(1, active);
        pb /= signal.Length;
        var gain = pb > 0 ? Math.Sqrt(ps / pb / Math.Pow(10, snrDb / 10)) : 0;
        var mix = new float[signal.Length];
        var peak = 0f;
        for (var i = 0; i < mix.Length; i++) { mix[i] = (float)(signal[i] + gain * background[i]); peak = Math.Max(peak, Math.Abs(mix[i])); }
        var scale = peak > 0 ? 0.5f / peak : 1f;
        for (var i = 0; i < mix.Length; i++) mix[i] *= scale;
        return mix;
    }

    private static float[] Siren(int n, int rate, NoiseGenerator random)
    {
        var style = (int)(random.NextUniform() * 3);
        double low = 600 + 150 * random.NextUniform(), high = 1300 + 300 * random.NextUniform();
        var period = style switch { 0 => 3 + 3 * random.NextUniform(), 1 => 0.2 + 0.2 * random.NextUniform(), _ => 1.0 + 0.4 * random.NextUniform() };
        Func<double, double> f = style switch
        {
            0 => t => low + (high - low) * 0.5 * (1 - Math.Cos(2 * Math.PI * t / period)),           // wail
            1 => t => low + (high - low) * (t / period % 1.0),                                        // yelp
            _ => t => t / period % 1.0 < 0.5 ? low : low * 1.33,                                      // hi-lo
        };
        return Harmonic(n, rate, f, [1, 0.3, 0.1]);
    }

    private static float[] Temporal(int n, int rate, double hz, double on, double off, int pulses, double pause)
    {
        var cycle = pulses * (on + off) - off + pause;
        var signal = Harmonic(n, rate, _ => hz, [1, 0.2]);
        for (var i = 0; i < n; i++)
        {
            var t = (double)i / rate % cycle;
            var inPulse = t < pulses * (on + off) - off && t % (on + off) < on;
            if (!inPulse) signal[i] = 0;
        }
        return signal;
    }

    private static float[] Tones(int n, int rate, double[] frequencies, Func<double, double> envelope)
    {
        var signal = new float[n];
        foreach (var hz in frequencies)
        {
            var tone = Harmonic(n, rate, _ => hz, [1, 0.5, 0.3, 0.2]);
            for (var i = 0; i < n; i++) signal[i] += (float)(tone[i] * envelope((double)i / rate));
        }
        return signal;
    }

    private static float[] Doorbell(int n, int rate, double hz)
    {
        var ding = Tones(n, rate, [hz], t => t < 1.5 ? Math.Exp(-t * 3) : 0);
        var dong = Tones(n, rate, [hz * 0.8], t => t < 0.6 || t > 2.5 ? 0 : Math.Exp(-(t - 0.6) * 3));
        for (var i = 0; i < n; i++) ding[i] += dong[i];
        return ding;
    }

    // Two notes, 520–1000 Hz a major second to a fourth apart (ratio 1.12–1.35), 0.35–1.1 s each, alternating from the
    // start; each strikes (5 ms attack) and decays — exponentially (3–8 per s) or as a fade to nothing by its end —
    // pure, with an octave, or with four harmonics.
    private static float[] Chime(int n, int rate, NoiseGenerator random)
    {
        var high = 520 + 480 * random.NextUniform();
        var low = high / (1.12 + 0.23 * random.NextUniform());
        double[] lengths = [0.35 + 0.75 * random.NextUniform(), 0.35 + 0.75 * random.NextUniform()];
        var exponential = random.NextUniform() < 0.5;
        var decay = 3 + 5 * random.NextUniform();
        var timbre = random.NextUniform();
        double[] weights = timbre < 0.33 ? [1] : timbre < 0.67 ? [1, 0.5] : [1, 0.5, 0.3, 0.2];
        var signal = new float[n];
        var start = 0;
        for (var note = 0; start < n; note++)
        {
            var length = Math.Min(n - start, (int)(lengths[note % 2] * rate));
            var hz = note % 2 == 0 ? high : low;
            var tone = Harmonic(length, rate, _ => hz, weights);
            for (var i = 0; i < length; i++)
            {
                var t = (double)i / rate;
                var envelope = Math.Min(1, t / 0.005) * (exponential ? Math.Exp(-decay * t) : Math.Max(0, 1 - t / lengths[note % 2]));
                signal[start + i] = (float)(tone[i] * envelope);
            }
            start += length;
        }
        return signal;
    }

    private static float[] Music(int n, int rate, NoiseGenerator random)
    {
        var signal = new float[n];
        var position = 0;
        while (position < n)
        {
            var length = Math.Min(n - position, (int)((0.2 + 0.4 * random.NextUniform()) * rate));
            var root = 220 * Math.Pow(2, Math.Floor(random.NextUniform() * 24) / 12);
            double[] chord = random.NextUniform() < 0.5 ? [root, root * 1.26, root * 1.5] : [root];
            foreach (var hz in chord)
                for (var i = 0; i < length; i++)
                {
                    var t = (double)i / rate;
                    signal[position + i] += (float)(Math.Exp(-3 * t) * (Math.Sin(2 * Math.PI * hz * t) + 0.4 * Math.Sin(4 * Math.PI * hz * t)));
                }
            position += length;
        }
        return signal;
    }

    private static float[] Traffic(int n, int rate, NoiseGenerator random)
    {
        var rumble = random.BandPink(n, rate, 30, 2000);
        var engine = HarmonicSource.Render(n, rate, t => 40 + 15 * Math.Sin(2 * Math.PI * t / 7), [1, 0.5, 0.3], random);
        var gain = 0.3f * (float)Scenarios.Rms(rumble) / Math.Max(1e-6f, (float)Scenarios.Rms(engine));
        for (var i = 0; i < n; i++) rumble[i] += gain * engine[i];
        return rumble;
    }

    private static float[] Harmonic(int n, int rate, Func<double, double> f0, double[] amplitudes)
    {
        var signal = new float[n];
        double phase = 0;
        for (var i = 0; i < n; i++)
        {
            phase += 2 * Math.PI * f0((double)i / rate) / rate;
            double sum = 0;
            for (var k = 0; k < amplitudes.Length; k++) sum += amplitudes[k] * Math.Sin((k + 1) * phase);
            signal[i] = (float)sum;
        }
        return signal;
    }
}
