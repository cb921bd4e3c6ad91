namespace AncOrleans.Dsp.Classification;

/// <summary>
/// How a kind of noise should be cancelled: the algorithm, the long filter's length (in milliseconds, so a
/// profile means the same at every sample rate; rounded to whole blocks) and the step sizes. The classifier
/// applies a category's profile to a session once it is sure of the category (see <see cref="ProfileSelector"/>).
/// </summary>
public sealed record AncProfile(string Name, AdaptiveAlgorithm Algorithm, double FilterMs, float NlmsStep, double RlsForgetting, int Harmonics)
{
    /// <summary>
    /// Tonal, steady (hum, transformers, fans): the tuned defaults — hybrid, 10.7 ms (512 taps at 48 kHz),
    /// μ 0.03, λ 0.998 (docs/dsp.md).
    /// </summary>
    public static readonly AncProfile Tonal = new("tonal", AdaptiveAlgorithm.Hybrid, 512 / 48.0, 0.03f, 0.998, 8);

    /// <summary>Tonal with a moving pitch (engines, power tools): a shorter RLS memory (λ 0.995) to track it.</summary>
    public static readonly AncProfile TonalDrifting = new("tonal-drifting", AdaptiveAlgorithm.Hybrid, 512 / 48.0, 0.03f, 0.995, 8);

    /// <summary>
    /// Broadband and steady (coloured noise, HVAC, cabins): only cancellable with acoustic lead, where a longer
    /// filter (21 ms) and a larger μ pay off; the tonal model stays for any tones on top.
    /// </summary>
    public static readonly AncProfile BroadbandSteady = new("broadband-steady", AdaptiveAlgorithm.Hybrid, 1024 / 48.0, 0.05f, 0.998, 8);

    /// <summary>Broadband and fluctuating (traffic, wind, rain bursts): a slower μ, so gusts don't throw the filter.</summary>
    public static readonly AncProfile BroadbandFluctuating = new("broadband-fluctuating", AdaptiveAlgorithm.Hybrid, 512 / 48.0, 0.02f, 0.998, 8);

    /// <summary>
    /// Transient or informative (speech, music, impacts, alerts): nothing predictable across the loop delay, so
    /// adapt slowly and let the no-harm guards hold the output down (never louder).
    /// </summary>
    public static readonly AncProfile Transient = new("transient", AdaptiveAlgorithm.Hybrid, 512 / 48.0, 0.01f, 0.998, 8);

    public static readonly IReadOnlyList<AncProfile> All = [Tonal, TonalDrifting, BroadbandSteady, BroadbandFluctuating, Transient];

    public static AncProfile Named(string name) => All.FirstOrDefault(p => p.Name == name)
        ?? throw new ArgumentException($"Unknown ANC profile '{name}'. Known: {string.Join(", ", All.Select(p => p.Name))}.");

    /// <summary>The profile's settings for a session: its structure (length, algorithm, K) and step sizes.</summary>
    public AncSettings ApplyTo(AncSettings settings)
    {
        var block = settings.BlockSize;
        var taps = (int)Math.Round(FilterMs * settings.SampleRate / 1000.0);
        taps = Math.Clamp((taps + block - 1) / block * block, block, 8192);
        return settings with { Algorithm = Algorithm, FilterLength = taps, NlmsStep = NlmsStep, RlsForgetting = RlsForgetting, Harmonics = Harmonics };
    }
}
