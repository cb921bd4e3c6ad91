namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Turns a stream of per-window class probabilities into a stable verdict and, rarely, a profile change —
/// hysteresis so that a mixture of two noises never makes the filter flap between profiles:
/// <code>
///   p̄_c(k) = α p̄_c(k−1) + (1 − α) p_c(k)                 smoothed probabilities (α = Smoothing)
///   label changes to c  when  c = argmax p̄  for HoldWindows windows in a row,  p̄_c ≥ EnterConfidence
///                       and  p̄_c − p̄_current ≥ SwitchMargin   (a near tie keeps the current verdict)
///   profile follows the label's profile  when  ≥ MinDwellSeconds since the last profile change
/// </code>
/// Emergency labels never change the profile (the emergency detector handles those sounds: passthrough).
/// </summary>
public sealed class ProfileSelector(ProfileSelectorOptions options)
{
    private readonly Dictionary<string, double> _smoothed = [];
    private string? _candidate;
    private int _run;
    private double _lastProfileChange = double.NegativeInfinity;

    public string? Label { get; private set; }
    public float Confidence { get; private set; }
    public AncProfile? Profile { get; private set; }
    public int ProfileChanges { get; private set; }

    /// <summary>One window's probabilities at <paramref name="seconds"/> of audio. Returns what changed.</summary>
    public SelectorUpdate Update(IReadOnlyDictionary<string, float> probabilities, double seconds)
    {
        var alpha = options.Smoothing;
        foreach (var key in _smoothed.Keys.ToList()) _smoothed[key] *= alpha;
        foreach (var (label, p) in probabilities)
            if (float.IsFinite(p)) _smoothed[label] = _smoothed.GetValueOrDefault(label) + (1 - alpha) * p;
        var top = _smoothed.MaxBy(kv => kv.Value);
        if (top.Key != _candidate) { _candidate = top.Key; _run = 0; }
        _run++;
        if (Label is not null) Confidence = (float)_smoothed.GetValueOrDefault(Label);
        var labelChanged = false;
        var current = Label is null ? 0 : _smoothed.GetValueOrDefault(Label);
        if (top.Key != Label && _run >= options.HoldWindows && top.Value >= options.EnterConfidence
            && top.Value - current >= options.SwitchMargin && NoiseTaxonomy.TryGet(top.Key, out _))
        {
            Label = top.Key;
            Confidence = (float)top.Value;
            labelChanged = true;
        }
        var profileChanged = false;
        if (Label is not null && !NoiseTaxonomy.Get(Label).Emergency)
        {
            var wanted = NoiseTaxonomy.Get(Label).Profile;
            if (wanted != Profile && seconds - _lastProfileChange >= options.MinDwellSeconds)
            {
                Profile = wanted;
                _lastProfileChange = seconds;
                ProfileChanges++;
                profileChanged = true;
            }
        }
        return new SelectorUpdate(labelChanged, profileChanged);
    }
}

public readonly record struct SelectorUpdate(bool LabelChanged, bool ProfileChanged)
{
    public bool Any => LabelChanged || ProfileChanged;
}

/// <summary>Hysteresis of <see cref="ProfileSelector"/> (configuration section <c>Classifier</c>).</summary>
public sealed record ProfileSelectorOptions
{
    /// <summary>α of the probability smoothing per 1 s window (memory ≈ 1/(1−α) windows).</summary>
    public double Smoothing { get; init; } = 0.7;

    /// <summary>Windows the new top label must stay on top before the verdict changes.</summary>
    public int HoldWindows { get; init; } = 4;

    /// <summary>Smoothed probability the new top label needs.</summary>
    public double EnterConfidence { get; init; } = 0.5;

    /// <summary>How far the new label must be ahead of the current one (smoothed probability).</summary>
    public double SwitchMargin { get; init; } = 0.3;

    /// <summary>Least time between two profile changes.</summary>
    public double MinDwellSeconds { get; init; } = 15;
}
