using AncOrleans.Dsp.Classification;

namespace AncOrleans.Classifier.Serving;

/// <summary>
/// The model the host serves, once <see cref="ServingModelLoader"/> has loaded it and run one prediction (so the first
/// invocation does not pay for the JIT). Until then <see cref="IsReady"/> is false and <c>/ping</c> answers 503.
/// Prediction is thread-safe (<see cref="NoiseClassifierModel"/> serialises its engine).
/// </summary>
public sealed class ServingModel
{
    private volatile Loaded? _loaded;

    public bool IsReady => _loaded is not null;

    /// <summary>The file being served and the setting that chose it, once ready.</summary>
    public ModelSource? Source => _loaded?.Source;

    /// <summary>The labels in the model's score order, once ready.</summary>
    public IReadOnlyList<string> Labels => _loaded?.Labels ?? [];

    internal void Set(NoiseClassifierModel model, ModelSource source) => _loaded = new Loaded(model, source, [.. model.Labels]);

    /// <summary>One window's probabilities in <see cref="Labels"/> order. Throws <see cref="ArgumentException"/> on bad features.</summary>
    public InvocationResponse Predict(float[] features)
    {
        var loaded = _loaded ?? throw new InvalidOperationException("The model is not loaded yet.");
        return new InvocationResponse(loaded.Labels, loaded.Model.Predict(features));
    }

    private sealed record Loaded(NoiseClassifierModel Model, ModelSource Source, string[] Labels);
}
