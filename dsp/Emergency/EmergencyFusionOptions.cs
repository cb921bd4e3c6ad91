namespace AncOrleans.Dsp.Emergency;

/// <summary>The fusion's thresholds (<see cref="EmergencyFusion"/>).</summary>
public sealed record EmergencyFusionOptions
{
    /// <summary>ρ_E: a pattern is kept when the model's total emergency probability reaches this.</summary>
    public double EmergencyReject { get; init; } = 0.05;

    /// <summary>ρ_k for kinds not in <see cref="RejectBelow"/>.</summary>
    public double RejectAllBelow { get; init; } = 0.02;

    /// <summary>ρ_k per kind.</summary>
    public IReadOnlyDictionary<string, double> RejectBelow { get; init; } = new Dictionary<string, double>();

    /// <summary>θ_c: the model alone raises c at this probability; absent kinds never alert on the model alone.</summary>
    public IReadOnlyDictionary<string, double> ModelAlone { get; init; } = new Dictionary<string, double> { [EmergencyKind.Siren] = 0.5, [EmergencyKind.CarHorn] = 0.5 };
}
