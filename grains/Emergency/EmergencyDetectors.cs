using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Classification;

namespace AncOrleans.Grains.Emergency;

/// <summary>
/// The emergency detector a session gets, one choice for the emergency grain and the silo warm-up:
/// <list type="bullet">
/// <item>classifier enabled, model file there: the patterns fused with the embedded model (docs/emergency.md), and with
/// the pretrained tagger when <c>Classifier:TaggerPath</c> names one; its windows (features and probabilities) go on to
/// the classifier grain (<see cref="IClassifierWindowSource"/>);</item>
/// <item>classifier enabled, model file missing: the patterns alone (the same decisions as before), plus the
/// classifier's features for a backend that takes features only (SageMaker; the embedded one then fails per window,
/// as it did when the classifier grain computed the features itself);</item>
/// <item>classifier disabled: the patterns alone, no windows.</item>
/// </list>
/// </summary>
internal static class EmergencyDetectors
{
    public static IEmergencyDetector Create(ClassifierOptions classifier, int sampleRate)
    {
        if (!classifier.Enabled) return new EmergencyDetector(sampleRate);
        var path = classifier.ResolvedModelPath;
        return File.Exists(path)
            ? new FusedEmergencyDetector(sampleRate, NoiseClassifierModel.LoadShared(path),
                new EmergencyFusionOptions { TaggerGate = classifier.TaggerGate },
                string.IsNullOrEmpty(classifier.TaggerPath) ? null : YamNet.LoadShared(classifier.TaggerPath),
                string.IsNullOrEmpty(classifier.TaggerPath) || !File.Exists(TaggerHead.DefaultPath) ? null : TaggerHead.LoadShared(TaggerHead.DefaultPath))
            : new PatternsWithFeaturesDetector(sampleRate);
    }
}
