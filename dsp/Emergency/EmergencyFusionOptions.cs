namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The fusion's thresholds (<see cref="EmergencyFusion"/>), for the shipped CNN + LightGBM blend (β = 0.5), chosen
/// 2026-11-29 without fold 10 (docs/measurements/emergency.md): on UrbanSound8K folds 1–3 out-of-fold, the grid
/// θ_siren, θ_horn ∈ 0.2…0.9, ρ ∈ 0.02…0.3, one or two windows, with or without the top-class condition, kept to
/// non-emergency clips alerting ≤ 2 %; then on the synthetic tuning seeds (<c>emergency-eval --seed-base 500000</c>)
/// the lowest θs that keep recall at 0 dB at 100 % in every cell and ≤ 1 false alert per hour: θ_siren 0.5 raised
/// sirens from doorbells and music, θ_horn 0.4 took CO and smoke alarms in traffic for horns. The result: θ_siren 0.7,
/// θ_horn 0.5, ρ 0.3, the model's class on top (folds 1–3: siren 55.4 %, horn 54.9 %, non-emergency 1.01 %).
/// </summary>
public sealed record EmergencyFusionOptions
{
    /// <summary>ρ_E: a pattern is kept when the model's total emergency probability reaches this.</summary>
    public double EmergencyReject { get; init; } = 0.3;

    /// <summary>ρ_k for kinds not in <see cref="RejectBelow"/>.</summary>
    public double RejectAllBelow { get; init; } = 0.3;

    /// <summary>ρ_k per kind.</summary>
    public IReadOnlyDictionary<string, double> RejectBelow { get; init; } = new Dictionary<string, double>();

    /// <summary>Labels that never reject a pattern when they top the window: broadband backgrounds an emergency rides on.</summary>
    public IReadOnlySet<string> Backgrounds { get; init; } = new HashSet<string> { "white_noise", "pink_noise", "brown_noise", "babble", "traffic", "hum" };

    /// <summary>The model alone alerts only when its emergency class is also the window's most probable class of all.</summary>
    public bool ModelAloneNeedsTop { get; init; } = true;

    /// <summary>The model alone needs θ in this many consecutive windows (1 or 2).</summary>
    public int ModelAloneWindows { get; init; } = 1;

    /// <summary>θ_c: the model alone raises c at this probability; absent kinds never alert on the model alone.</summary>
    public IReadOnlyDictionary<string, double> ModelAlone { get; init; } = new Dictionary<string, double> { [EmergencyKind.Siren] = 0.7, [EmergencyKind.CarHorn] = 0.5 };
}
