using AncOrleans.Acoustics.Evaluation;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Cli.Eval;
using AncOrleans.Dsp;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Edge mode on the committed real recordings (acoustics/Recordings), through the bench's paths as
/// <c>anc eval --noise</c> builds them: a few seconds of one recording, sets 40 ms late.
/// </summary>
public sealed class EdgeRecordingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("cafe-crowd")]
    [InlineData("boat")]
    public void A_real_recording_is_cancelled_well_and_never_made_louder(string name)
    {
        var scene = NoiseRecordings.Scene(name, seconds: 4);
        var r = EdgeEvaluation.Run(scene, new EdgeSettings(), delayMs: 40);
        output.WriteLine($"{name}: {r.ReductionDb:0.00} dB (edge bound {r.BoundDb:0.00}), convergence {r.ConvergenceMs} ms");
        // Measured 48.1 (boat) and 51.0 dB (cafe-crowd) over 4 s (docs/dsp.md has the 8 s figures); the floor is the
        // issue's 20 dB, far enough below to absorb step or path changes.
        Assert.True(r.ReductionDb >= 20, $"{r.ReductionDb:0.00} dB");
        // Never louder than no ANC: every 100 ms window of the ear, from the first sample.
        var window = scene.SampleRate / 10;
        for (var start = 0; start + window <= scene.Length; start += window)
        {
            var db = ReductionMeter.Db(r.Noise.AsSpan(start, window), r.Residual.AsSpan(start, window));
            Assert.True(db > -0.5, $"window at {start * 1000 / scene.SampleRate} ms: {db:0.00} dB");
        }
    }

    [Fact]
    public void The_default_eval_runs_every_recording_in_edge_and_antinoise_mode_at_40_ms()
    {
        Assert.True(NoiseRecordings.Available, $"recordings not copied to {NoiseRecordings.Folder}");
        var plan = EvalRunner.DefaultPlan(16_000, 128);
        foreach (var name in NoiseRecordings.Names)
        {
            Assert.Contains(plan, c => c.Scenario == name && c.Mode == CancellerMode.Edge && c.DelayMs == 40 && c.SampleRate == 48_000);
            Assert.Contains(plan, c => c.Scenario == name && c.Mode == CancellerMode.AntiNoise && c.DelayMs == 40);
        }
    }
}
