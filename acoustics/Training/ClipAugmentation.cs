using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Acoustics.Training;

/// <summary>
/// Data augmentation for real clips (after Salamon &amp; Bello, "Deep convolutional neural networks and data
/// augmentation for environmental sound classification", IEEE SPL 24(3), 2017): a copy of the clip, each of
/// <list type="bullet">
/// <item>speed perturbation by s ∈ [0.92, 1.08] (p = 0.5): y[i] = x(i·s) by linear interpolation — a little time
/// stretch and pitch shift at once (Ko et al., Interspeech 2015);</item>
/// <item>a room (p = 0.4): Schroeder's reverberator, RT60 0.2–0.9 s (<see cref="SoundSynth.Room"/>);</item>
/// <item>a background (p = 0.7): pink noise, babble, traffic or HVAC from <see cref="NoiseLibrary"/>, at an SNR of
/// −5 … +20 dB against the clip;</item>
/// <item>gain: none needed — the features are level-free by construction (tested).</item>
/// </list>
/// Returns the mix and the clean (stretched, reverberant) sound, whose level decides which windows are kept.
/// </summary>
public static class ClipAugmentation
{
    public static (float[] Mix, float[] Clean) Apply(float[] clip, int rate, NoiseGenerator r)
    {
        var clean = clip;
        if (r.NextUniform() < 0.5) clean = Speed(clean, 0.92 + 0.16 * r.NextUniform());
        if (r.NextUniform() < 0.4) clean = SoundSynth.Room(clean, rate, 0.2 + 0.7 * r.NextUniform(), 0.2 + 0.4 * r.NextUniform(), r);
        var mix = clean;
        if (r.NextUniform() < 0.7)
        {
            var label = NoiseLibrary.Backgrounds[(int)(r.NextUniform() * NoiseLibrary.Backgrounds.Length) % NoiseLibrary.Backgrounds.Length];
            var background = NoiseLibrary.Render(label, rate, (double)clean.Length / rate + 0.01, r);
            mix = SoundSynth.Add(clean, background.AsSpan(0, clean.Length).ToArray(), -5 + 25 * r.NextUniform());
        }
        return (mix, clean);
    }

    /// <summary>Resampled by <paramref name="factor"/> (> 1: faster and higher).</summary>
    public static float[] Speed(float[] x, double factor)
    {
        var n = (int)((x.Length - 1) / factor);
        var y = new float[Math.Max(1, n)];
        for (var i = 0; i < y.Length; i++)
        {
            var position = i * factor;
            var j = (int)position;
            var fraction = (float)(position - j);
            y[i] = j + 1 < x.Length ? x[j] + fraction * (x[j + 1] - x[j]) : x[^1];
        }
        return y;
    }
}
