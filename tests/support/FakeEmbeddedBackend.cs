using AncOrleans.Grains.Classification;

namespace AncOrleans.Tests;

/// <summary>Stands in for the embedded ML.NET backend: always the same answer, and counts its calls.</summary>
public sealed class FakeEmbeddedBackend : INoiseClassifierBackend
{
    public static readonly IReadOnlyDictionary<string, float> Answer = new Dictionary<string, float> { ["embedded-guess"] = 1f };

    private int _calls;

    public string Name => "embedded";

    public int Calls => _calls;

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        return Task.FromResult(Answer);
    }
}
