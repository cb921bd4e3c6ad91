namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Turns a stream of per-window class probabilities into a stable verdict and, rarely, a profile change —
/// hysteresis so that a mixture of two noises never makes the filter flap between profiles:
/// <code>
///   p̄_c(k) = α p̄_c(k−1) + (1 − α) p_c(k)                 smoothed class probabilities (α = Smoothing)
///   P̄_π(k) = Σ_{c: profile(c) = π, c not an emergency} p̄_c(k)    smoothed profile probabilities
///   verdict → c   when c = argmax p̄ for HoldWindows windows in a row, p̄_c ≥ EnterConfidence
///                 and p̄_c − p̄_verdict ≥ SwitchMargin          (a near tie keeps the current verdict)
///   profile → π   likewise on P̄, and only ≥ dwell seconds after the last profile change, where
///                 dwell = MinDwellSeconds · 2^r and margin = SwitchMargin · (1 + r), where r counts the returns
///                 so far (changes back to the profile just left), plus one if this change would be one:
///                 going back needs twice the evidence and twice the wait, and each return makes the next harder
///                 (the margin caps at 0.6 so a real change is still followed; 10 dwells without a change reset r)
/// </code>
/// The profile is decided on its own evidence (engine and pump both want a tonal profile, even when music is
/// the single most likely class), and a return costs more each time, so an ambiguous mixture settles.
/// Emergency labels never change the profile (the emergency detector handles those sounds: passthrough).
/// </summary>
public sealed class ProfileSelector(ProfileSelectorOptions options)
{
    private readonly Dictionary<string, double> _smoothed = [];
    private readonly Dictionary<AncProfile, double> _profiles = [];
    private readonly Hysteresis<string> _label = new();
    private readonly Hysteresis<AncProfile> _profile = new();
    private AncProfile? _previousProfile;
    private int _returns;
    private double _lastProfileChange = double.NegativeInfinity;

    public string? Label => _label.Current;
    public float Confidence { get; private set; }
    public AncProfile? Profile => _profile.Current;
    public int ProfileChanges { get; private set; }

    /// <summary>The <paramref name="count"/> categories with the highest smoothed probability p̄, highest first.</summary>
    public IReadOnlyList<(string Label, double Probability)> Top(int count) =>
        [.. _smoothed.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(Math.Max(0, count)).Select(kv => (kv.Key, kv.Value))];

    /// <summary>One window's probabilities at <paramref name="seconds"/> of audio. Returns what changed.</summary>
    public SelectorUpdate Update(IReadOnlyDictionary<string, float> probabilities, double seconds)
    {
        var alpha = options.Smoothing;
        foreach (var key in _smoothed.Keys.ToList()) _smoothed[key] *= alpha;
        foreach (var (label, p) in probabilities)
            if (float.IsFinite(p) && NoiseTaxonomy.TryGet(label, out _)) _smoothed[label] = _smoothed.GetValueOrDefault(label) + (1 - alpha) * p;
        _profiles.Clear();
        foreach (var (label, p) in _smoothed)
        {
            var category = NoiseTaxonomy.Get(label);
            if (!category.Emergency) _profiles[category.Profile] = _profiles.GetValueOrDefault(category.Profile) + p;
        }

        var labelChanged = _label.Offer(_smoothed, options.HoldWindows, options.EnterConfidence, options.SwitchMargin, allowed: true);
        if (Label is not null) Confidence = (float)_smoothed.GetValueOrDefault(Label);

        if (seconds - _lastProfileChange >= options.MinDwellSeconds * 10) _returns = 0; // long settled: forgive the past
        var before = Profile;
        var leader = _profiles.Count == 0 ? null : _profiles.MaxBy(kv => kv.Value).Key;
        var goingBack = leader is not null && leader == _previousProfile;
        var penalty = _returns + (goingBack ? 1 : 0);
        var dwell = options.MinDwellSeconds * Math.Pow(2, penalty);
        var margin = Math.Min(options.SwitchMargin * (1 + penalty), 0.6); // stays reachable for a real change
        var profileChanged = _profiles.Count > 0
            && _profile.Offer(_profiles, options.HoldWindows, options.EnterConfidence, margin, allowed: seconds - _lastProfileChange >= dwell);
        if (profileChanged)
        {
            if (Profile == _previousProfile) _returns++;
            _previousProfile = before;
            _lastProfileChange = seconds;
            ProfileChanges++;
        }
        return new SelectorUpdate(labelChanged, profileChanged);
    }

    /// <summary>The argmax-with-hold-and-margin rule, for labels and for profiles.</summary>
    private sealed class Hysteresis<T> where T : notnull
    {
        private T? _candidate;
        private int _run;

        public T? Current { get; private set; }

        public bool Offer(Dictionary<T, double> scores, int hold, double enter, double margin, bool allowed)
        {
            var top = scores.MaxBy(kv => kv.Value);
            if (!EqualityComparer<T>.Default.Equals(top.Key, _candidate)) { _candidate = top.Key; _run = 0; }
            _run++;
            if (!allowed || EqualityComparer<T>.Default.Equals(top.Key, Current)) return false;
            var current = Current is null ? 0 : scores.GetValueOrDefault(Current);
            if (_run < hold || top.Value < enter || top.Value - current < margin) return false;
            Current = top.Key;
            return true;
        }
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
    public double Smoothing { get; init; } = 0.85;

    /// <summary>Windows the new top label (or profile) must stay on top before the verdict changes.</summary>
    public int HoldWindows { get; init; } = 4;

    /// <summary>Smoothed probability the new top label (or profile) needs.</summary>
    public double EnterConfidence { get; init; } = 0.5;

    /// <summary>How far the new label (or profile) must be ahead of the current one (smoothed probability).</summary>
    public double SwitchMargin { get; init; } = 0.3;

    /// <summary>Least time between two profile changes; doubled by every return to the profile just left.</summary>
    public double MinDwellSeconds { get; init; } = 15;
}
