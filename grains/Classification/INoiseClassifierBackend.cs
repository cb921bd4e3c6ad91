using AncOrleans.Abstractions;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// A noise classifier: one window's feature vector (see <c>NoiseFeatures</c>, 1 s of audio) in, a probability per
/// category label (see <c>NoiseTaxonomy</c>) out. The embedded ML.NET model is the default; SageMaker is optional
/// and falls back to the embedded one when it fails. Implementations are thread-safe singletons.
/// </summary>
public interface INoiseClassifierBackend
{
    /// <summary>Short name for logs and metrics: <c>embedded</c>, <c>sagemaker</c>.</summary>
    string Name { get; }

    /// <summary>Probabilities per label (they sum to ≈ 1). Throws on failure; callers decide on fallbacks.</summary>
    Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken);

    /// <summary>
    /// The same for a window the session's emergency grain computed and forwarded (issue 13: one recognition pass per
    /// session). It carries the embedded model's probabilities (its CNN blend included) when that grain has the model:
    /// the embedded backend answers with them rather than predicting again. Backends that take features only
    /// (SageMaker) send <see cref="ClassifierWindow.Features"/>.
    /// </summary>
    Task<IReadOnlyDictionary<string, float>> PredictAsync(ClassifierWindow window, CancellationToken cancellationToken) =>
        PredictAsync(window.Features, cancellationToken);
}
