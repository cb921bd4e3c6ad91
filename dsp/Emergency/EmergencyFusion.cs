namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The emergency decision for one classifier window (≈ 1 s): the DSP pattern detectors (<see cref="EmergencyDetector"/>)
/// and the classifier's probabilities vote together, late fusion with a reject option (Chow, "On optimum recognition
/// error and reject tradeoff", IEEE Trans. IT 16(1), 1970):
/// <code>
///   P_E = Σ_{c emergency} p(c | x)                        the model's emergency probability
///   pattern k fired in the window  →  alert k   if p(k | x) ≥ ρ_k  or  P_E ≥ ρ_E
///                                               or the model's top class is a background (else: rejected)
///   no pattern fired               →  alert c*  if c* = argmax_{c emergency} p(c | x) and p(c* | x) ≥ θ_{c*}
///                                               (with ModelAloneWindows = 2: in the previous window too — never in a stream's first window;
///                                               with ModelAloneNeedsTop: c* must also be the window's top class of all)
///   a tagger's patch (YAMNet)   →  alert k   if s_k = max_{a ∈ AudioSet classes of k} score(a) ≥ θ_T,k (k ∈ {siren, car_horn};
///                                               the largest margin wins), unless the model's latest window gives a veto
///                                               label (doorbell, music) ≥ its probability; with a tagger the model alone
///                                               uses ModelAloneWithTagger (empty: the tagger replaces it for sirens and horns)
/// </code>
/// A pattern the model finds no trace of (a dog bark that happened to pulse like T3, a drill taken for glass) is
/// rejected; a sound the model is sure of (a real siren whose sweep the pattern detector misses) is an alert on its
/// own. A background the model names (pink noise, babble, traffic …) is not evidence against the pattern: an
/// emergency at 0 dB SNR in it leaves the window's top class to the background. θ is only set for the classes the model has learnt from real recordings (siren, car_horn); smoke and CO
/// alarms and glass breaks alert through their patterns only. Thresholds are tuned on UrbanSound8K folds 1–3
/// (out-of-fold probabilities) and the synthetic tuning seeds, never on fold 10 (docs/emergency.md).
/// Guards: unknown labels are ignored; a model without a class gives it probability 0.
/// </summary>
public sealed class EmergencyFusion
{
    private readonly int[] _index;         // position of each emergency kind in the model's labels, or −1
    private readonly double[] _reject, _alone, _tagger;
    private readonly bool[] _background;
    private readonly (int Label, double Probability)[] _vetoes; // model labels that veto a tagger's alert   // per model label: a background that never rejects a pattern
    private static readonly string[] Kinds = [EmergencyKind.Siren, EmergencyKind.SmokeAlarm, EmergencyKind.CoAlarm, EmergencyKind.CarHorn, EmergencyKind.GlassBreak];

    /// <param name="tagged">A pretrained tagger votes too (<see cref="DecideTagged"/>): the model alone then uses
    /// <see cref="EmergencyFusionOptions.ModelAloneWithTagger"/> when set.</param>
    public EmergencyFusion(IReadOnlyList<string> labels, EmergencyFusionOptions? options = null, bool tagged = false)
    {
        Options = options ?? new EmergencyFusionOptions();
        _index = Kinds.Select(k => labels.ToList().IndexOf(k)).ToArray();
        _reject = Kinds.Select(k => Options.RejectBelow.GetValueOrDefault(k, Options.RejectAllBelow)).ToArray();
        var alone = tagged && Options.ModelAloneWithTagger is { } withTagger ? withTagger : Options.ModelAlone;
        _alone = Kinds.Select(k => alone.GetValueOrDefault(k, double.PositiveInfinity)).ToArray();
        _tagger = Kinds.Select(k => Options.TaggerAlone.GetValueOrDefault(k, double.PositiveInfinity)).ToArray();
        _background = labels.Select(Options.Backgrounds.Contains).ToArray();
        _vetoes = Options.TaggerVetoes.Select(v => (labels.ToList().IndexOf(v.Key), v.Value)).Where(v => v.Item1 >= 0).ToArray();
    }

    public EmergencyFusionOptions Options { get; }

    /// <summary>
    /// The alert for a window, or null. <paramref name="pattern"/>: what the detectors found in it (or null);
    /// <paramref name="previous"/>: the previous window's probabilities (empty for a stream's first window).
    /// </summary>
    public string? Decide(string? pattern, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> previous = default)
    {
        double total = 0;
        var best = -1;
        for (var i = 0; i < Kinds.Length; i++)
        {
            var p = P(i, probabilities);
            total += p;
            if (best < 0 || p > P(best, probabilities)) best = i;
        }
        if (pattern is not null)
        {
            var k = Array.IndexOf(Kinds, pattern);
            if (k < 0) return pattern;
            if (P(k, probabilities) >= _reject[k] || total >= Options.EmergencyReject) return pattern;
            var top = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities);
            return top < _background.Length && _background[top] ? pattern : null;
        }
        if (best < 0 || P(best, probabilities) < _alone[best]) return null;
        if (Options.ModelAloneNeedsTop && _index[best] != System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities)) return null;
        return Options.ModelAloneWindows < 2 || !previous.IsEmpty && P(best, previous) >= _alone[best] ? Kinds[best] : null;
    }

    /// <summary>
    /// The alert a pretrained tagger's patch raises on its own (the kind whose score clears θ_T by the most), or null;
    /// null too when <paramref name="latest"/> (the model's latest window, empty when none yet) names a veto label.
    /// </summary>
    public string? DecideTagged(ReadOnlySpan<float> taggerScores, ReadOnlySpan<float> latest = default)
    {
        foreach (var (label, probability) in _vetoes)
            if (label < latest.Length && latest[label] >= probability) return null;
        string? alert = null;
        var margin = 0.0;
        for (var i = 0; i < Kinds.Length; i++)
        {
            if (double.IsPositiveInfinity(_tagger[i])) continue;
            var classes = Kinds[i] == EmergencyKind.Siren ? AudioSetEmergencies.Siren : Kinds[i] == EmergencyKind.CarHorn ? AudioSetEmergencies.CarHorn : [];
            var score = AudioSetEmergencies.Score(taggerScores, classes);
            if (score >= _tagger[i] && (alert is null || score - _tagger[i] > margin)) (alert, margin) = (Kinds[i], score - _tagger[i]);
        }
        return alert;
    }

    /// <summary>The model's p(siren) + p(car_horn) in a window: the evidence <see cref="EmergencyFusionOptions.TaggerGate"/> asks for.</summary>
    public double SirenAndHornProbability(ReadOnlySpan<float> probabilities)
    {
        double total = 0;
        foreach (var kind in (ReadOnlySpan<int>)[SirenKind, CarHornKind])
            if (_index[kind] >= 0 && _index[kind] < probabilities.Length) total += probabilities[_index[kind]];
        return total;
    }

    private static readonly int SirenKind = Array.IndexOf(Kinds, EmergencyKind.Siren), CarHornKind = Array.IndexOf(Kinds, EmergencyKind.CarHorn);

    private double P(int kind, ReadOnlySpan<float> probabilities) => _index[kind] >= 0 ? probabilities[_index[kind]] : 0;
}
