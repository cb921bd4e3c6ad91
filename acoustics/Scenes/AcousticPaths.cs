using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// The bench's acoustic paths.
/// Primary path P(z), noise source → ear: a bulk delay (the acoustic lead of the ear over the reference mic),
/// a unit direct tap and a room-like tail of random taps decaying with τ = 2 ms over 8 ms.
/// Secondary path S(z), speaker → ear: 0.5 ms of delay and a short minimum-phase response
/// 0.8·(0.5)^k, k = 0…11 (a small enclosure's first-order roll-off).
/// </summary>
public static class AcousticPaths
{
    public const double SecondaryDelayMs = 0.5;

    public static float[] Primary(int sampleRate, double bulkDelayMs, NoiseGenerator random)
    {
        var bulk = AncSettings.MillisecondsToSamples(bulkDelayMs, sampleRate);
        var tail = AncSettings.MillisecondsToSamples(8, sampleRate);
        var tau = 0.002 * sampleRate;
        var path = new float[bulk + tail];
        path[bulk] = 1f;
        for (var k = 1; k < tail; k++) path[bulk + k] = (float)(0.25 * random.NextGaussian() * Math.Exp(-k / tau));
        return path;
    }

    public static float[] Secondary(int sampleRate)
    {
        var delay = AncSettings.MillisecondsToSamples(SecondaryDelayMs, sampleRate);
        var path = new float[delay + 12];
        for (var k = 0; k < 12; k++) path[delay + k] = (float)(0.8 * Math.Pow(0.5, k));
        return path;
    }
}
