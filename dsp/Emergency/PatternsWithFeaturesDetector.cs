using AncOrleans.Dsp.Classification;

namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The DSP patterns alone (<see cref="EmergencyDetector"/>, whose decisions these are, unchanged) plus the classifier's
/// <see cref="NoiseFeatures"/>, for a session whose classifier is enabled but whose embedded model file is missing:
/// there is no model to fuse with, but a backend that takes features only (SageMaker) still gets each window's
/// features (<see cref="IClassifierWindowSource.WindowFinished"/>, probabilities null).
/// The features filter their input in place, so audio is copied into a buffer first (allocation-free per sample; each
/// window allocates its feature vector).
/// </summary>
public sealed class PatternsWithFeaturesDetector : IEmergencyDetector, IClassifierWindowSource
{
    private readonly EmergencyDetector _patterns;
    private readonly NoiseFeatures _features;
    private readonly Action<float[]> _onWindow;
    private float[] _copy = [];

    public PatternsWithFeaturesDetector(int sampleRate)
    {
        _patterns = new EmergencyDetector(sampleRate);
        _features = new NoiseFeatures(sampleRate);
        _onWindow = window => WindowFinished?.Invoke(window, null);
    }

    public string? Active => _patterns.Active;

    public string[]? Labels => null;

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

    public void Push(ReadOnlySpan<float> samples)
    {
        _patterns.Push(samples);
        if (_copy.Length < samples.Length) _copy = new float[samples.Length];
        var copy = _copy.AsSpan(0, samples.Length);
        samples.CopyTo(copy);
        _features.Push(copy, _onWindow);
    }
}
