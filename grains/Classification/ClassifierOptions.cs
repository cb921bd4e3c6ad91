using AncOrleans.Dsp.Classification;

namespace AncOrleans.Grains.Classification;

/// <summary>Configuration section <c>Classifier</c> as the grains see it (the SageMaker backend adds its own keys).</summary>
public sealed class ClassifierOptions
{
    public const string Section = "Classifier";

    /// <summary>
    /// Whether each session gets a classifier: its features (≈ one 512-point FFT per 16 ms of audio) and the model run once per
    /// window in the session's emergency grain, fused into its decision and forwarded to the classifier grain. False: the
    /// emergency grain runs the DSP patterns alone and nothing goes to the classifier grain.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The embedded model; empty: <c>Models/noise-classifier.zip</c> beside the binaries.</summary>
    public string ModelPath { get; set; } = "";

    public double Smoothing { get; set; } = 0.85;
    public int HoldWindows { get; set; } = 4;
    public double EnterConfidence { get; set; } = 0.5;
    public double SwitchMargin { get; set; } = 0.3;
    public double MinDwellSeconds { get; set; } = 15;

    /// <summary>Backend call timeout per window (the call is skipped, never retried, past it).</summary>
    public int PredictTimeoutMs { get; set; } = 2000;

    /// <summary>
    /// A pretrained AudioSet tagger (YAMNet's TensorFlow Lite file, not shipped: docs/classifier.md) that votes on sirens
    /// and car horns in every session's emergency decision; empty: none. It costs ≈ 4 ms of CPU per 0.48 s patch.
    /// </summary>
    public string TaggerPath { get; set; } = "";

    /// <summary>
    /// With a tagger: score a patch only when a pattern is pending or active or the model's siren + car_horn probability
    /// reaches this (0: every patch). See <see cref="Dsp.Emergency.EmergencyFusionOptions.TaggerGate"/>.
    /// </summary>
    public double TaggerGate { get; set; }

    public string ResolvedModelPath => string.IsNullOrEmpty(ModelPath) ? NoiseClassifierModel.DefaultPath : ModelPath;

    public ProfileSelectorOptions Selector => new()
    {
        Smoothing = Smoothing, HoldWindows = HoldWindows, EnterConfidence = EnterConfidence, SwitchMargin = SwitchMargin, MinDwellSeconds = MinDwellSeconds,
    };
}
