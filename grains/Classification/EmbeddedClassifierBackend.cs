using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Classification;

/// <summary>The default backend: the shipped model (ML.NET and its CNN), in process (loaded once, on first use).</summary>
public sealed class EmbeddedClassifierBackend(IOptions<ClassifierOptions> options) : INoiseClassifierBackend
{
    private readonly Lazy<NoiseClassifierModel> _model = new(() => NoiseClassifierModel.Load(options.Value.ResolvedModelPath));

    public string Name => "embedded";

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken) =>
        Task.FromResult(_model.Value.PredictLabels(features));

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, float[] patch, CancellationToken cancellationToken) =>
        Task.FromResult(_model.Value.PredictLabels(features, patch));
}
