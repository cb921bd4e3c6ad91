using AncOrleans.Dsp;
using AncOrleans.Dsp.Acoustics;
using AncOrleans.Dsp.Evaluation;

namespace AncOrleans.Tests;

/// <summary>Each algorithm against a known answer: system identification, the least-squares solution, physics.</summary>
public sealed class DspReferenceTests
{
    private static readonly float[] Plant = [0.5f, -0.3f, 0.2f, 0.1f, -0.05f, 0.02f, 0f, 0.01f];

    private static (float[] X, float[] D) Identification(int length, int seed)
    {
        var x = new NoiseGenerator(seed).White(length);
        return (x, FirFilter.Convolve(x, Plant));
    }

    [Theory]
    [InlineData(AdaptiveAlgorithm.Nlms)]
    [InlineData(AdaptiveAlgorithm.Hybrid)]
    public void Identifies_a_known_FIR_plant(AdaptiveAlgorithm algorithm)
    {
        var (x, d) = Identification(48_000, 3);
        var canceller = new OursClean(new AncSettings { FilterLength = 16, RlsTaps = 8, RlsSpacing = 1, Algorithm = algorithm, NlmsStep = 0.5f, Mode = CancellerMode.Clean }, 480);
        var residual = new float[x.Length];
        for (var i = 0; i < x.Length; i += 480)
            canceller.Process(x.AsSpan(i, 480), d.AsSpan(i, 480), residual.AsSpan(i, 480));
        Assert.True(ReductionMeter.SteadyStateDb(d, residual) > 60, $"{algorithm}: {ReductionMeter.SteadyStateDb(d, residual):0.0} dB");
    }

    [Fact]
    public void Sparse_RLS_finds_the_least_squares_weights_in_a_few_updates()
    {
        var rls = new SparseRls(length: 16, taps: 8, spacing: 2, lambda: 1.0, updateEvery: 1);
        var line = new TapLine(16);
        var x = new NoiseGenerator(5).White(400);
        float[] truth = [0.7f, 0, -0.4f, 0, 0.25f, 0, 0.1f, 0, 0, 0, -0.2f, 0, 0, 0, 0.05f, 0]; // on even ages only
        var plant = new FirFilter(truth);
        for (var n = 0; n < x.Length; n++)
        {
            line.Push(x[n]);
            var target = plant.Process(x[n]);
            rls.Update(line.Window, target - rls.Predict(line.Window));
        }
        var weights = new float[16];
        rls.ExpandWeights(weights);
        for (var age = 0; age < 16; age++) Assert.Equal(truth[age], weights[15 - age], 3);
        Assert.Equal(0, rls.GuardResets);
    }

    [Fact]
    public void Wiener_bound_is_perfect_for_a_realisable_filter_and_zero_for_unpredictable_noise()
    {
        var (x, d) = Identification(20_000, 7);
        var residual = WienerBound.Residual(x, d, 16, 0, 15_000);
        Assert.True(ReductionMeter.Db(d.AsSpan(15_000), residual) > 80);

        var white = new NoiseGenerator(8).White(20_000);
        var future = WienerBound.Residual(white, white, 16, 1, 15_000); // predict white noise one step ahead
        Assert.InRange(ReductionMeter.Db(white.AsSpan(15_000), future), -0.2, 0.2);
    }

    [Fact]
    public void A_NaN_error_never_reaches_the_coefficients()
    {
        foreach (var algorithm in Enum.GetValues<AdaptiveAlgorithm>())
        {
            var filter = new AncSettings { Algorithm = algorithm }.CreateFilter();
            var window = new NoiseGenerator(1).White(512);
            filter.Update(window, float.NaN);
            filter.Update(window, float.PositiveInfinity);
            Assert.True(filter.IsHealthy, algorithm.ToString());
            Assert.Equal(0f, filter.Predict(window));
        }
    }

    [Fact]
    public void Checkpoint_round_trip_reproduces_the_output()
    {
        var scene = Scenarios.Create("hum", 48_000, 1, 20);
        var settings = new AncSettings { DelaySamples = 960, SecondaryPath = scene.SecondaryPath };
        var original = new AncProcessor(settings);
        var y = new float[480];
        for (var i = 0; i < 48_000 - 480; i += 480)
            original.ProcessAntiNoise(scene.Reference.AsSpan(i, 480), scene.Disturbance.AsSpan(i, 480), y);
        var restored = new AncProcessor(settings);
        restored.LoadState(original.SaveState());

        var a = new float[480];
        var b = new float[480];
        original.ProcessAntiNoise(scene.Reference.AsSpan(47_520, 480), scene.Disturbance.AsSpan(47_520, 480), a);
        restored.ProcessAntiNoise(scene.Reference.AsSpan(47_520, 480), scene.Disturbance.AsSpan(47_520, 480), b);
        // The restored copy plays the same weights but pauses adaptation while its windows refill (see
        // AncProcessor.LoadState), so the two may differ only by what one block of adaptation changes.
        double difference = 0, level = 0;
        for (var i = 0; i < a.Length; i++)
        {
            difference += (a[i] - b[i]) * (a[i] - b[i]);
            level += a[i] * a[i];
        }
        Assert.True(level > 0);
        Assert.True(difference < 1e-4 * level, $"relative difference {difference / level:E2}");
    }

    [Fact]
    public void A_corrupt_checkpoint_is_refused()
    {
        var processor = new AncProcessor(new AncSettings { DelaySamples = 480 });
        var state = processor.SaveState();
        state[3] = float.NaN;
        Assert.Throws<ArgumentException>(() => processor.LoadState(state));
        Assert.Throws<ArgumentException>(() => processor.LoadState(state.AsSpan(1)));
    }
}
