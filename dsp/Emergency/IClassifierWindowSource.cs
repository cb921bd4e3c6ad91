namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// A detector that computes the noise classifier's windows as part of its own work (<see cref="FusedEmergencyDetector"/>,
/// <see cref="PatternsWithFeaturesDetector"/>), so that a session's classifier reuses them instead of computing the
/// same <see cref="Classification.NoiseFeatures"/> and prediction a second time (issue 13: one recognition pass per session).
/// </summary>
public interface IClassifierWindowSource
{
    /// <summary>The labels of <see cref="WindowFinished"/>'s probabilities, in order; null when the detector has no model.</summary>
    string[]? Labels { get; }

    /// <summary>
    /// A classifier window (≈ 1 s) finished: its feature vector (<see cref="Classification.NoiseFeatures.Length"/> numbers)
    /// and the model's probabilities in <see cref="Labels"/> order (null without a model). Both arrays are the ones the
    /// detector itself computed, allocated per window and never written again: a handler may keep them but must not
    /// change them (the detector still reads the probabilities for its next window's fusion). Raised during
    /// <see cref="IEmergencyDetector.Push"/>, after the window's decision.
    /// </summary>
    event Action<float[], float[]?>? WindowFinished;

    /// <summary>
    /// Starts the windows <paramref name="hops"/> hops (16 ms each) later (<see cref="Classification.NoiseFeatures.SkipHops"/>);
    /// the patterns are not delayed, and a pattern found before the first window is accepted unjudged, as at any stream's start.
    /// </summary>
    void OffsetWindows(int hops);
}
