using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Classification;

namespace AncOrleans.Grains.Emergency;

/// <summary>
/// The emergency detector a session gets: the patterns fused with the embedded model when the classifier is enabled
/// and its model file is there (docs/emergency.md), else the patterns alone. One choice for the emergency grain and the
/// silo warm-up.
/// </summary>
internal static class EmergencyDetectors
{
    public static IEmergencyDetector Create(ClassifierOptions classifier, int sampleRate)
    {
        var path = classifier.ResolvedModelPath;
        return classifier.Enabled && File.Exists(path)
            ? new FusedEmergencyDetector(sampleRate, NoiseClassifierModel.LoadShared(path))
            : new EmergencyDetector(sampleRate);
    }
}
