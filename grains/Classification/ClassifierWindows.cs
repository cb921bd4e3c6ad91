using AncOrleans.Dsp.Classification;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// The windows one <see cref="NoiseFeatures.Push"/> completes, each with its log-mel patch (which the embedded model's
/// CNN reads). The patch is valid only inside the push's callback, so it is copied into arrays kept for the next push.
/// </summary>
internal sealed class ClassifierWindows
{
    private readonly List<float[]> _windows = [];
    private readonly List<float[]> _patches = [];

    public int Count => _windows.Count;

    public float[] Window(int index) => _windows[index];

    public float[] Patch(int index) => _patches[index];

    /// <summary>Forgets the previous push's windows, then collects this one's.</summary>
    public void Push(NoiseFeatures features, Span<float> audio)
    {
        _windows.Clear();
        features.Push(audio, window =>
        {
            if (_patches.Count == _windows.Count) _patches.Add(new float[NoiseFeatures.PatchFrames * NoiseFeatures.Bands]);
            features.Patch.CopyTo(_patches[_windows.Count]);
            _windows.Add(window);
        });
    }
}
