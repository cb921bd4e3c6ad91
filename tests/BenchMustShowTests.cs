using AncOrleans.Dsp;
using AncOrleans.Dsp.Acoustics;
using AncOrleans.Dsp.Evaluation;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The physics of the bench, asserted in dB (machine-independent): never louder, tones cancelled near the bound.</summary>
public sealed class BenchMustShowTests(ITestOutputHelper output)
{
    private static EvalResult Run(string scenario, double delayMs, AdaptiveAlgorithm algorithm, double seconds = 6)
    {
        var scene = Scenarios.Create(scenario, 48_000, seconds, delayMs);
        return AncEvaluation.RunAntiNoise(scene, new AncSettings { Algorithm = algorithm, DelaySamples = AncSettings.MillisecondsToSamples(delayMs, 48_000) });
    }

    [Theory]
    [InlineData(10)]
    [InlineData(40)]
    public void Hum_is_cancelled_by_30_dB_within_2_dB_of_the_bound(double delayMs)
    {
        var r = Run("hum", delayMs, AdaptiveAlgorithm.Hybrid);
        output.WriteLine($"hum D={delayMs} ms: {r.ReductionDb:0.0} dB, bound {r.BoundDb:0.0} dB, convergence {r.ConvergenceMs} ms");
        Assert.True(r.ReductionDb >= 30);
        Assert.True(r.ReductionDb >= r.BoundDb - 2);
    }

    [Theory]
    [InlineData("broadband", AdaptiveAlgorithm.Hybrid)]
    [InlineData("broadband", AdaptiveAlgorithm.Nlms)]
    [InlineData("babble", AdaptiveAlgorithm.Hybrid)]
    public void Unpredictable_noise_is_never_made_louder(string scenario, AdaptiveAlgorithm algorithm)
    {
        var r = Run(scenario, 20, algorithm);
        output.WriteLine($"{scenario} D=20 ms {algorithm}: {r.ReductionDb:0.00} dB, bound {r.BoundDb:0.00} dB");
        Assert.True(r.ReductionDb >= -0.5);
        Assert.InRange(r.BoundDb, -1, 1);
    }

    [Fact]
    public void Broadband_with_acoustic_lead_is_cancelled_by_10_dB()
    {
        var r = Run("broadband-lead", 20, AdaptiveAlgorithm.Hybrid);
        output.WriteLine($"broadband-lead D=20 ms: {r.ReductionDb:0.0} dB, bound {r.BoundDb:0.0} dB");
        Assert.True(r.ReductionDb >= 10);
    }

    [Fact]
    public void Hybrid_tracks_drifting_hum_at_least_as_well_as_the_fixed_bound()
    {
        var r = Run("hum-drift", 20, AdaptiveAlgorithm.Hybrid, 10);
        output.WriteLine($"hum-drift D=20 ms: {r.ReductionDb:0.0} dB, bound {r.BoundDb:0.0} dB");
        Assert.True(r.ReductionDb >= r.BoundDb - 1);
    }
}
