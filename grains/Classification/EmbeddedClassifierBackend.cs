using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Classification;

/// <summary>The default backend: the shipped ML.NET model, in process (loaded once, on first use).</summary>
public sealed class EmbeddedClassifierBackend(IOptions<ClassifierOptions> options) : INoiseClassifierBackend
{
    private readonly Lazy<NoiseClassifierModel> _model = new(() => NoiseClassifierModel.Load(options.Value.ResolvedModelPath));

    public string Name => "embedded";

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken) =>
        Task.FromResult(_model.Value.PredictLabels(features));
}
