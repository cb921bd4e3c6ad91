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
    /// The same with the window's log-mel patch (<c>NoiseFeatures.Patch</c>), which the embedded model's CNN reads
    /// (issue 12). Backends that only take features (SageMaker) ignore it.
    /// </summary>
    Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, float[] patch, CancellationToken cancellationToken) =>
        PredictAsync(features, cancellationToken);
}
