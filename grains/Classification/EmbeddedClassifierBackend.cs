using AncOrleans.Abstractions;
using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// The default backend: the shipped model (ML.NET and its CNN), in process (loaded once, on first use). A window the
/// emergency grain forwarded with the model's probabilities is answered from them (no second prediction, issue 13);
/// one without (the emergency grain had no model file) is predicted here from its features, which then fails as the
/// model file is missing (the classifier grain logs it and skips the window).
/// </summary>
public sealed class EmbeddedClassifierBackend(IOptions<ClassifierOptions> options) : INoiseClassifierBackend
{
    private readonly Lazy<NoiseClassifierModel> _model = new(() => NoiseClassifierModel.Load(options.Value.ResolvedModelPath));
    private long _predictions, _forwarded;

    public string Name => "embedded";

    /// <summary>Predictions this backend ran itself (the model on a feature vector), since start.</summary>
    public long Predictions => Interlocked.Read(ref _predictions);

    /// <summary>Windows answered from the probabilities the emergency grain forwarded, since start.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _predictions);
        return Task.FromResult(_model.Value.PredictLabels(features));
    }

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(ClassifierWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (window.Probabilities is null || window.Labels is null) return PredictAsync(window.Features, cancellationToken);
        Interlocked.Increment(ref _forwarded);
        return Task.FromResult(ByLabel(window.Labels, window.Probabilities));
    }

    /// <summary>Probabilities keyed by their labels (the two arrays must be the same length).</summary>
    public static IReadOnlyDictionary<string, float> ByLabel(string[] labels, float[] probabilities)
    {
        if (labels.Length != probabilities.Length)
            throw new ArgumentException($"{probabilities.Length} probabilities for {labels.Length} labels.", nameof(probabilities));
        var result = new Dictionary<string, float>(labels.Length);
        for (var i = 0; i < labels.Length; i++) result[labels[i]] = probabilities[i];
        return result;
    }
}
