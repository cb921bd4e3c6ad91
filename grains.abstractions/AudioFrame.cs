namespace AncOrleans.Abstractions;

/// <summary>
/// One frame from the device: <see cref="Pcm"/> holds <see cref="SampleCount"/> two-channel samples,
/// interleaved (reference mic x, error mic e — in clean mode, reference x and primary d), little-endian
/// in <see cref="Format"/>. <see cref="DeviceTimestampUs"/> is the device clock at the first sample; a <see cref="SampleRate"/> of 0 means
/// the session's rate.
/// <see cref="AntiNoiseMissed"/>: the device did not play the anti-noise due during these samples (its reply came
/// late or never), so the error mic heard the noise alone — the canceller must not assume its output was played.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.AudioFrame")]
public sealed record AudioFrame(
    [property: Id(0)] long Sequence,
    [property: Id(1)] long DeviceTimestampUs,
    [property: Id(2)] int SampleRate,
    [property: Id(3)] SampleFormat Format,
    [property: Id(4)] int SampleCount,
    [property: Id(5)] byte[] Pcm,
    [property: Id(6)] bool AntiNoiseMissed = false)
{
    /// <summary>Edge mode: what the device's filter played during this frame (null on type-1 frames).</summary>
    [Id(7)] public EdgeVersionTag? Edge { get; init; }
}

/// <summary>Edge mode's tag on an audio frame: the coefficient set in force at its first sample, the one being faded
/// out (equal when no fade is in progress), and the samples of the fade already played.</summary>
[GenerateSerializer, Immutable, Alias("anc.EdgeVersionTag")]
public sealed record EdgeVersionTag([property: Id(0)] uint Version, [property: Id(1)] uint FadingFrom, [property: Id(2)] uint FadeElapsed);
