using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Grains;

/// <summary>
/// The frames the start-up warm-ups send (<see cref="SiloWarmup"/>, the gateway's GatewayWarmup): 48 kHz, 10 ms,
/// int16 stereo, two harmonics heard through a short delay — tonal, so the hybrid's tracker and RLS branch run too.
/// </summary>
public static class WarmupAudio
{
    public const int Rate = 48_000, FrameSamples = 480;

    public static byte[] Pcm(int frame)
    {
        Span<float> reference = stackalloc float[FrameSamples];
        Span<float> error = stackalloc float[FrameSamples];
        for (var i = 0; i < FrameSamples; i++)
        {
            reference[i] = Hum(frame * FrameSamples + i);
            error[i] = 0.8f * Hum(frame * FrameSamples + i - 24);
        }
        return FrameCodec.EncodeStereo(reference, error, SampleFormat.Int16);
    }

    public static AudioFrame Frame(int frame) =>
        new(frame, frame * 10_000L, Rate, SampleFormat.Int16, FrameSamples, Pcm(frame));

    private static float Hum(int n) => 0.3f * MathF.Sin(2 * MathF.PI * 100 * n / 48_000f) + 0.1f * MathF.Sin(2 * MathF.PI * 300 * n / 48_000f);
}
