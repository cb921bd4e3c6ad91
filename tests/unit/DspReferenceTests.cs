using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;

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
        var canceller = new OursClean(new AncSettings { FilterLength = 16, BlockSize = 8, Algorithm = algorithm, NlmsStep = 0.5f, Mode = CancellerMode.Clean }, 480);
        var residual = new float[x.Length];
        for (var i = 0; i < x.Length; i += 480)
            canceller.Process(x.AsSpan(i, 480), d.AsSpan(i, 480), residual.AsSpan(i, 480));
        Assert.True(ReductionMeter.SteadyStateDb(d, residual) > 60, $"{algorithm}: {ReductionMeter.SteadyStateDb(d, residual):0.0} dB");
    }

    [Fact]
    public void RLS_finds_the_least_squares_weights_in_a_few_updates()
    {
        var rls = new RlsCore(6, lambda: 1.0);
        double[] truth = [0.7, -0.4, 0.25, 0.1, -0.2, 0.05];
        var random = new NoiseGenerator(5);
        var g = new double[6];
        for (var n = 0; n < 400; n++)
        {
            for (var i = 0; i < g.Length; i++) g[i] = random.NextGaussian();
            var target = 0.0;
            for (var i = 0; i < g.Length; i++) target += truth[i] * g[i];
            rls.Update(g, target - rls.Predict(g));
        }
        for (var i = 0; i < truth.Length; i++) Assert.Equal(truth[i], rls.Weights[i], 4);
        Assert.Equal(0, rls.GuardResets);
    }

    [Fact]
    public void RLS_in_its_own_order_saves_the_same_state_as_in_the_saved_order()
    {
        // The harmonic model keeps g planar (Re…, Im…) inside RLS; its checkpoints keep [Re, Im] pairs.
        int[] planar = [0, 3, 1, 4, 2, 5]; // saved index s (pairs) → own index (planar)
        var interleaved = new RlsCore(6, 0.99);
        var own = new RlsCore(6, 0.99, planar);
        var random = new NoiseGenerator(7);
        var g = new double[6];
        var gOwn = new double[6];
        for (var n = 0; n < 300; n++)
        {
            for (var i = 0; i < g.Length; i++) g[i] = random.NextGaussian();
            for (var s = 0; s < g.Length; s++) gOwn[planar[s]] = g[s];
            var target = 0.3 * g[0] - 0.2 * g[3] + 0.1 * g[5];
            interleaved.Update(g, target - interleaved.Predict(g));
            own.Update(gOwn, target - own.Predict(gOwn));
        }
        var a = new float[interleaved.StateLength];
        var b = new float[own.StateLength];
        interleaved.SaveState(a);
        own.SaveState(b);
        for (var i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-4f * Math.Max(1f, Math.Abs(a[i])));
        // And back: a state saved in pairs loads into the planar instance at the planar places.
        var restored = new RlsCore(6, 0.99, planar);
        restored.LoadState(a);
        for (var s = 0; s < 6; s++) Assert.Equal(interleaved.Weights[s], restored.Weights[planar[s]], 5);
        Assert.Throws<ArgumentException>(() => new RlsCore(3, 0.99, [0, 0, 1]));
    }

    [Fact]
    public void RLS_stays_healthy_for_minutes_of_pure_tones()
    {
        // Exponential forgetting amplifies round-off in P by 1/λ per update; the diagonal load must hold it.
        var rls = new RlsCore(16, 0.999);
        var g = new double[16];
        for (var n = 0; n < 48_000 * 60; n++)
        {
            var phi = 2 * Math.PI * 100.0 * n / 48_000;
            for (var k = 0; k < 8; k++) (g[2 * k + 1], g[2 * k]) = Math.SinCos((k + 1) * phi);
            rls.Update(g, Math.Cos(phi + 0.3) - rls.Predict(g));
        }
        Assert.Equal(0, rls.GuardResets);
        Assert.Equal(Math.Cos(0.3), rls.Weights[0], 3);
        Assert.Equal(-Math.Sin(0.3), rls.Weights[1], 3);
    }

    [Fact]
    public void Harmonic_model_locks_on_hum_and_cancels_it_in_clean_mode()
    {
        var scene = Scenarios.Create("hum", 48_000, 4, 0);
        var canceller = new OursClean(new AncSettings { Algorithm = AdaptiveAlgorithm.Rls, Mode = CancellerMode.Clean }, 480);
        var residual = new float[scene.Length];
        for (var i = 0; i < scene.Length; i += 480)
            canceller.Process(scene.Reference.AsSpan(i, 480), scene.Disturbance.AsSpan(i, 480), residual.AsSpan(i, 480));
        Assert.True(ReductionMeter.SteadyStateDb(scene.Disturbance, residual) > 30);
    }

    [Fact]
    public void Tracker_follows_an_80_Hz_per_second_sweep()
    {
        var tracker = new HarmonicTracker(48_000);
        var scene = Scenarios.Create("engine-runup", 48_000, 4, 20);
        double worst = 0;
        for (var n = 0; n < scene.Length; n++)
        {
            tracker.Push(scene.Reference[n]);
            var t = (double)n / 48_000;
            if (t > 1) worst = Math.Max(worst, Math.Abs(tracker.PredictionFrequency - (70 - 40 * Math.Cos(2 * t))));
        }
        Assert.True(tracker.Locked);
        Assert.True(worst < 2.5, $"worst frequency error {worst:0.00} Hz");
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
        var nlms = new BlockNlms(512, 128, 0.5f, 1e-4f);
        var window = new NoiseGenerator(1).White(640);
        nlms.BeginBlock(window[^256..], window[^256..]);
        var errors = new float[128];
        errors[5] = float.NaN;
        nlms.EndBlock(errors);
        errors[5] = float.PositiveInfinity;
        nlms.EndBlock(errors);
        Assert.True(nlms.IsHealthy);
        var z = new float[128];
        nlms.PredictBlock(z);
        Assert.All(z, value => Assert.Equal(0f, value));

        var rls = new RlsCore(4, 0.999);
        rls.Update([1, 0, 0, 0], double.NaN);
        rls.Update([double.NaN, 0, 0, 0], 1);
        Assert.All(rls.Weights.ToArray(), w => Assert.Equal(0, w));
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
        Assert.True(difference < 1e-3 * level, $"relative difference {difference / level:E2}"); // −30 dB: the pause, and the tracker free-running one period
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
