namespace AncOrleans.Dsp;

/// <summary>
/// Everything that shapes one canceller. Defaults are the tuned values from docs/dsp.md
/// (L = 512 at 48 kHz; a K = 8 harmonic model, 16 RLS weights).
/// </summary>
public sealed record AncSettings
{
    public int SampleRate { get; init; } = 48_000;
    public int FilterLength { get; init; } = 512;

    /// <summary>Loop delay D in samples: the output for time n uses only samples ≤ n − D.</summary>
    public int DelaySamples { get; init; }

    public CancellerMode Mode { get; init; } = CancellerMode.AntiNoise;
    public AdaptiveAlgorithm Algorithm { get; init; } = AdaptiveAlgorithm.Hybrid;

    /// <summary>Secondary-path estimate Ŝ(z) (speaker → error mic). Null means a unit impulse.</summary>
    public float[]? SecondaryPath { get; init; }

    /// <summary>Block B of the frequency-domain NLMS (a power of two; its update lags by one block).</summary>
    public int BlockSize { get; init; } = 128;

    /// <summary>μ of the long NLMS branch; null picks the mode's default (<see cref="EffectiveNlmsStep"/>).</summary>
    public float? NlmsStep { get; init; }

    /// <summary>
    /// Antinoise: μ = 0.03, a slow long filter with a small misadjustment — the RLS tonal branch supplies the
    /// speed. Clean: μ = 0.6 — the reference there is typically broadband (speech enhancement), where the long
    /// filter must converge on its own. Both measured in docs/dsp.md.
    /// </summary>
    public float EffectiveNlmsStep => NlmsStep ?? (Mode == CancellerMode.Clean ? 0.6f : 0.03f);
    public float NlmsRegularisation { get; init; } = 1e-4f;
    /// <summary>K: harmonics of the tonal model (2K RLS weights).</summary>
    public int Harmonics { get; init; } = 8;

    /// <summary>λ of the tonal model's RLS (memory ≈ 1/(1−λ) samples).</summary>
    public double RlsForgetting { get; init; } = 0.998;

    /// <summary>
    /// The tonal RLS adapts on every n-th sample (its O(M²) update, with λⁿ per update: the same memory in time); the
    /// output still runs per sample. 6 since 2026-11-30 (was 4): the canceller on hum 4–5 % cheaper (5.58 against 5.78–6.07
    /// ms per audio second), every <c>anc eval</c> figure within 0.23 dB (docs/measurements/benchmarks.md, "Seventh session").
    /// </summary>
    public int RlsUpdateEvery { get; init; } = 6;

    /// <summary>Time constant of the no-harm gain statistics.</summary>
    public double GuardSeconds { get; init; } = 0.02;

    /// <summary>Time for the played gain to move from 0 to 1 while following the guard.</summary>
    public double GuardSlewSeconds { get; init; } = 0.01;

    /// <summary>Fade used for passthrough (emergency) and for muting on harm.</summary>
    public double FadeSeconds { get; init; } = 0.05;

    public static int MillisecondsToSamples(double milliseconds, int sampleRate) =>
        (int)Math.Round(milliseconds * sampleRate / 1000.0);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that is out of range.</summary>
    public void Validate()
    {
        if (SampleRate is < 8_000 or > 96_000) throw new ArgumentException($"sampleRate {SampleRate} is outside 8000–96000 Hz.");
        if (FilterLength is < 8 or > 8192) throw new ArgumentException($"filterLength {FilterLength} is outside 8–8192.");
        if (DelaySamples < 0 || DelaySamples > SampleRate) throw new ArgumentException($"delay {DelaySamples} samples is outside 0–1 s.");
        if (Mode == CancellerMode.Edge)
            throw new ArgumentException("edge mode runs EdgeCanceller (cloud) and EdgeFilter (device), not AncProcessor.");
        if (Mode == CancellerMode.AntiNoise && DelaySamples < 1)
            throw new ArgumentException("antinoise mode needs a loop delay of at least one sample: a network loop is never instantaneous.");
        if (SecondaryPath is { } path)
        {
            if (path.Length is 0 or > 4096) throw new ArgumentException("secondaryPath must have 1–4096 taps.");
            foreach (var tap in path)
                if (!float.IsFinite(tap)) throw new ArgumentException("secondaryPath contains a non-finite tap.");
        }
        if (BlockSize < 8 || BlockSize > 1024 || (BlockSize & (BlockSize - 1)) != 0 || 2 * BlockSize > FilterLength + BlockSize)
            throw new ArgumentException($"blockSize {BlockSize} must be a power of two from 8 to the filter length.");
        if (Harmonics is < 1 or > 32) throw new ArgumentException($"harmonics {Harmonics} is outside 1–32.");
    }

    /// <summary>Whether the long NLMS filter runs (nlms, hybrid).</summary>
    public bool UsesLongFilter => Algorithm != AdaptiveAlgorithm.Rls;

    /// <summary>Whether the RLS harmonic model runs (rls, hybrid).</summary>
    public bool UsesHarmonicModel => Algorithm != AdaptiveAlgorithm.Nlms;
}
