using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// Speech-like babble: several synthetic talkers, each a source–filter model (Fant, "Acoustic Theory of
/// Speech Production", 1960): a glottal pulse train with wandering pitch, shaped by three formant resonators
/// that jump to a new vowel every syllable (150–300 ms), under a syllabic envelope with pauses.
/// </summary>
public static class BabbleSource
{
    // F1, F2, F3 (Hz) of a few vowels (Peterson & Barney, 1952, adult male means).
    private static readonly double[][] Vowels =
    [
        [730, 1090, 2440], [270, 2290, 3010], [530, 1840, 2480], [570, 840, 2410],
        [300, 870, 2240], [660, 1720, 2410], [490, 1350, 1690], [640, 1190, 2390],
    ];

    public static float[] Render(int length, int sampleRate, int talkers, NoiseGenerator random)
    {
        var mix = new float[length];
        for (var t = 0; t < talkers; t++) AddTalker(mix, sampleRate, random, 0.6 + 0.8 * random.NextUniform());
        return mix;
    }

    private static void AddTalker(float[] mix, int sampleRate, NoiseGenerator random, double gain)
    {
        var pitch = 95 + 130 * random.NextUniform();
        var formants = new Biquad[3];
        for (var i = 0; i < 3; i++) formants[i] = Biquad.BandPass(Vowels[0][i], sampleRate, 6);
        double phase = random.NextUniform(), vibrato = random.NextUniform() * 2 * Math.PI;
        var n = 0;
        while (n < mix.Length)
        {
            var syllable = (int)((0.15 + 0.15 * random.NextUniform()) * sampleRate);
            var pause = random.NextUniform() < 0.25 ? (int)(0.2 * random.NextUniform() * sampleRate) : 0;
            var vowel = Vowels[(int)(random.NextUniform() * Vowels.Length)];
            for (var i = 0; i < 3; i++) formants[i].RetuneBandPass(vowel[i] * (0.9 + 0.2 * random.NextUniform()), sampleRate, 6);
            var syllablePitch = pitch * (0.85 + 0.3 * random.NextUniform());
            for (var i = 0; i < syllable && n < mix.Length; i++, n++)
            {
                var f0 = syllablePitch * (1 + 0.03 * Math.Sin(vibrato + 2 * Math.PI * 5 * n / sampleRate));
                phase += f0 / sampleRate;
                var pulse = 0f;
                if (phase >= 1) { phase -= 1; pulse = 1; }
                var envelope = Math.Sin(Math.PI * i / syllable);
                var voiced = formants[0].Process(pulse) + 0.5f * formants[1].Process(pulse) + 0.25f * formants[2].Process(pulse);
                mix[n] += (float)(gain * envelope * voiced);
            }
            n += pause;
        }
    }
}
