using AncOrleans.Dsp.Classification;

namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The DSP patterns alone (<see cref="EmergencyDetector"/>, whose decisions these are, unchanged) plus the classifier's
/// <see cref="NoiseFeatures"/>, for a session whose classifier is enabled but whose embedded model file is missing:
/// there is no model to fuse with, but a backend that takes features only (SageMaker) still gets each window's
/// features (<see cref="IClassifierWindowSource.WindowFinished"/>, probabilities null).
/// The patterns and the features share one <see cref="Spectrum16k"/> front end, which the patterns push (allocation-free
/// per sample; each window allocates its feature vector).
/// </summary>
public sealed class PatternsWithFeaturesDetector : IEmergencyDetector, IClassifierWindowSource
{
    private readonly EmergencyDetector _patterns;
    private readonly NoiseFeatures _features;

    public PatternsWithFeaturesDetector(int sampleRate)
    {
        var front = new Spectrum16k(sampleRate);
        _patterns = new EmergencyDetector(sampleRate, front);
        _features = new NoiseFeatures(front, window => WindowFinished?.Invoke(window, null));
    }

    public string? Active => _patterns.Active;

    public string[]? Labels => null;

    public void OffsetWindows(int hops) => _features.SkipHops(hops);

    public event Action<string, double>? Detected
    {
        add => _patterns.Detected += value;
        remove => _patterns.Detected -= value;
    }

    public event Action<string, double>? Cleared
    {
        add => _patterns.Cleared += value;
        remove => _patterns.Cleared -= value;
    }

    public event Action<float[], float[]?>? WindowFinished;

    public void Push(ReadOnlySpan<float> samples) => _patterns.Push(samples); // and, through the shared front end, the features
}
