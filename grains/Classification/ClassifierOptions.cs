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

    public string ResolvedModelPath => string.IsNullOrEmpty(ModelPath) ? NoiseClassifierModel.DefaultPath : ModelPath;

    public ProfileSelectorOptions Selector => new()
    {
        Smoothing = Smoothing, HoldWindows = HoldWindows, EnterConfidence = EnterConfidence, SwitchMargin = SwitchMargin, MinDwellSeconds = MinDwellSeconds,
    };
}
