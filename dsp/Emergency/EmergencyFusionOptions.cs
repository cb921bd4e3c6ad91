namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The fusion's thresholds (<see cref="EmergencyFusion"/>). Defaults chosen on UrbanSound8K folds 1–3 out-of-fold
/// (leave-one-fold-out, 2026-11-29; docs/emergency.md): ρ = 0.05 cuts the patterns' alerts on non-emergency clips from
/// 11.4 % to 2.2 %; θ = 0.8 is the highest grid point, the model alone adds real sirens and horns at the price of
/// false alerts (the grid is in the doc).
/// </summary>
public sealed record EmergencyFusionOptions
{
    /// <summary>ρ_E: a pattern is kept when the model's total emergency probability reaches this.</summary>
    public double EmergencyReject { get; init; } = 0.05;

    /// <summary>ρ_k for kinds not in <see cref="RejectBelow"/>.</summary>
    public double RejectAllBelow { get; init; } = 0.05;

    /// <summary>ρ_k per kind.</summary>
    public IReadOnlyDictionary<string, double> RejectBelow { get; init; } = new Dictionary<string, double>();

    /// <summary>Labels that never reject a pattern when they top the window: broadband backgrounds an emergency rides on.</summary>
    public IReadOnlySet<string> Backgrounds { get; init; } = new HashSet<string> { "white_noise", "pink_noise", "brown_noise", "babble", "traffic", "hum" };

    /// <summary>θ_c: the model alone raises c at this probability; absent kinds never alert on the model alone.</summary>
    public IReadOnlyDictionary<string, double> ModelAlone { get; init; } = new Dictionary<string, double> { [EmergencyKind.Siren] = 0.8, [EmergencyKind.CarHorn] = 0.8 };
}
