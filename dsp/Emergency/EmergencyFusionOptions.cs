namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The fusion's thresholds (<see cref="EmergencyFusion"/>), for the shipped CNN + LightGBM blend (β = 0.5). Fourth
/// round (2026-11-30, docs/measurements/emergency.md): the model also trained on repeated two-note chimes in noise
/// (labelled doorbell) calls the committed sox chime a doorbell (p(siren) ≤ 0.30), which lets θ_siren fall to 0.5:
/// folds 1–3 out-of-fold siren 72.3 %, horn 58.2 %, non-emergency 1.91 %; the tuning seeds at 16 kHz 100 % recall in
/// every cell with 1 false alert in 5 hours (cutlery as glass), at 48 kHz CO in babble 80 %, glass in pink noise 90 %,
/// the rest 100 %, 4 false alerts in 5 hours, all cutlery (none from the four confusers). Third
/// round (2026-11-29, docs/measurements/emergency.md): the model retrained with synthetic doorbells, melodies, voices
/// and hums in noise as labelled negatives and synthetic emergencies in noise as positives no longer takes the former
/// for sirens nor alarms in noise for drills; on the tuning seeds θ_siren = θ_horn = 0.6 keep 100 % recall at 16 kHz
/// (48 kHz: CO in babble 80 %, the rest 100 %) with 0–1 false alerts in 3.3 hours of the four confusers, but
/// the committed sox chime (tests/data/recognition, 784/622 Hz notes that hold and fade) reaches p(siren) 0.70, so
/// θ_siren is 0.75. Folds 1–3 out-of-fold (with ρ_siren = 0): siren 59.2 %, horn 58.2 %, non-emergency 1.63 % (the
/// second round: 55.4 / 54.9 / 1.01). The second round's choice, for the record, also
/// without fold 10: on UrbanSound8K folds 1–3 out-of-fold, the grid
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

    /// <summary>
    /// ρ_k per kind. A siren pattern is never rejected (ρ_siren = 0): a wail, yelp or hi-lo trajectory at a steady level
    /// is specific on its own (UrbanSound8K folds 1–3: 0.4 % of the non-emergency clips match it; none of the tuning
    /// seeds' confusers), while the third round's model took a clean two-tone hi-lo (tests/data/recognition) for music
    /// and rejected it. Folds 1–3 out-of-fold: siren 70.7 → 71.2 %, non-emergency unchanged.
    /// </summary>
    public IReadOnlyDictionary<string, double> RejectBelow { get; init; } = new Dictionary<string, double> { [EmergencyKind.Siren] = 0 };

    /// <summary>Labels that never reject a pattern when they top the window: broadband backgrounds an emergency rides on.</summary>
    public IReadOnlySet<string> Backgrounds { get; init; } = new HashSet<string> { "white_noise", "pink_noise", "brown_noise", "babble", "traffic", "hum" };

    /// <summary>The model alone alerts only when its emergency class is also the window's most probable class of all.</summary>
    public bool ModelAloneNeedsTop { get; init; } = true;

    /// <summary>The model alone needs θ in this many consecutive windows (1 or 2).</summary>
    public int ModelAloneWindows { get; init; } = 1;

    /// <summary>θ_c: the model alone raises c at this probability; absent kinds never alert on the model alone.</summary>
    public IReadOnlyDictionary<string, double> ModelAlone { get; init; } = new Dictionary<string, double> { [EmergencyKind.Siren] = 0.5, [EmergencyKind.CarHorn] = 0.6 };

    /// <summary>
    /// θ_T,k: with a pretrained tagger (<see cref="Classification.YamNet"/>), its patch alone raises k when the kind's
    /// score (<see cref="AudioSetEmergencies"/>) reaches this; absent kinds never alert on the tagger alone.
    /// </summary>
    public IReadOnlyDictionary<string, double> TaggerAlone { get; init; } = new Dictionary<string, double> { [EmergencyKind.Siren] = 0.2, [EmergencyKind.CarHorn] = 0.3 };

    /// <summary>
    /// With a tagger, the model-alone thresholds used instead of <see cref="ModelAlone"/> (null: the same). The tagger
    /// hears sirens and horns better than the in-house model, whose own alerts then add false ones (docs/emergency.md).
    /// </summary>
    public IReadOnlyDictionary<string, double>? ModelAloneWithTagger { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// The tagger scores a patch only when a pattern is pending or active or the model's siren + car_horn probability in
    /// the latest window reaches this (0: every patch). Its network costs ≈ 4 ms a patch (docs/classifier.md).
    /// </summary>
    public double TaggerGate { get; init; }

    /// <summary>
    /// The in-house model vetoes a tagger's alert when its latest window gives one of these labels at least this
    /// probability: sounds it was taught as non-emergencies (synthetic doorbells and chimes, melodies) that the tagger
    /// takes for horns and sirens (docs/emergency.md). Empty: no veto.
    /// </summary>
    public IReadOnlyDictionary<string, double> TaggerVetoes { get; init; } = new Dictionary<string, double> { ["doorbell"] = 0.5, ["music"] = 0.5 };
}
