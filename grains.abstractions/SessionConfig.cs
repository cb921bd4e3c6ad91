namespace AncOrleans.Abstractions;

/// <summary>
/// A session's configuration. <c>Mode</c> is <c>antinoise</c>, <c>clean</c> or <c>edge</c> (the device filters,
/// the cloud adapts and sends coefficient sets at most every <c>UpdateMs</c>, adapting on <c>DutyCycle</c> of the
/// audio once converged); <c>Algorithm</c> is
/// <c>nlms</c>, <c>rls</c> or <c>hybrid</c>. <c>SecondaryPath</c> is the speaker→error-mic impulse response
/// Ŝ(z) (null: a unit impulse). <c>DelayMs</c> is the loop delay D: anti-noise for time n uses samples ≤ n − D.
/// <c>AutoProfile</c> (antinoise mode) lets the noise classifier retune the filter for the kind of noise it hears.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.SessionConfig")]
public sealed record SessionConfig(
    [property: Id(0)] int SampleRate = 48_000,
    [property: Id(1)] string Mode = "antinoise",
    [property: Id(2)] string Algorithm = "hybrid",
    [property: Id(3)] double DelayMs = 20,
    [property: Id(4)] int FilterLength = 512,
    [property: Id(5)] float[]? SecondaryPath = null,
    [property: Id(6)] int FrameSamples = 480,
    [property: Id(7)] bool AutoProfile = true,
    [property: Id(8)] double UpdateMs = 100,
    [property: Id(9)] double DutyCycle = 1);
