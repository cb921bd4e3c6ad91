using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Device;
using AncOrleans.Dsp;
using AncOrleans.Grains.Sessions;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Edge mode with a wrong Ŝ (sign flipped, or 20–67 samples more delay): the device plays the cloud's sets on its own,
/// so a cloud fooled by d̂ = d + (S − Ŝ)*y would make the ear louder for as long as the device plays them. The rule
/// is the antinoise mode's: never louder than no ANC by more than 0.5 dB over any 1 s window after the first second.
/// </summary>
public sealed class EdgeWrongSecondaryPathTests(ITestOutputHelper output)
{
    private const int Rate = 48_000, Frame = 480;

    [Theory]
    [InlineData("broadband", "flip")]
    [InlineData("broadband", "+40")]
    [InlineData("broadband", "+67")]
    [InlineData("hum", "flip")]
    [InlineData("hum", "+20")]
    public void A_wrong_secondary_path_never_makes_the_noise_louder_in_edge_mode(string scenario, string path)
    {
        var scene = Scenarios.Create(scenario, Rate, 12, 40);
        var pipeline = new SessionPipeline("edge-wrong-s", new SessionGrainOptions(), new SessionCheckpoint());
        pipeline.Configure(new SessionConfig(Mode: "edge", SecondaryPath: scene.SecondaryPath, FrameSamples: Frame));
        var device = new EdgeDevice(Rate, 512, Frame);
        var secondary = new FirFilter(WrongSecondaryPathTests.TruePath(scene.SecondaryPath, path));
        var y = new float[Frame];
        var e = new float[Frame];
        var ear = new float[scene.Length];
        for (var start = 0; start + Frame <= scene.Length; start += Frame)
        {
            var x = scene.Reference.AsSpan(start, Frame);
            var t = start * 1_000_000L / Rate;
            device.Filter(x, y, t);
            for (var i = 0; i < Frame; i++) ear[start + i] = e[i] = scene.Disturbance[start + i] + secondary.Process(y[i]);
            Assert.True(WireFrame.TryParseAudio(device.Record(x, e, t)!, out var audio, out var error, out _), error);
            var reply = pipeline.Process(audio, null, out _);
            if (reply.Message.Length > 0) device.OnMessage(reply.Message, text: false);
        }
        var worst = double.NegativeInfinity;
        var worstAt = 0.0;
        for (var from = Rate; from + Rate <= scene.Length; from += Rate / 10)
        {
            var excess = -AncProcessor.Decibels(WrongSecondaryPathTests.Energy(scene.Disturbance, from, Rate), WrongSecondaryPathTests.Energy(ear, from, Rate));
            if (double.IsNaN(excess)) excess = double.PositiveInfinity;
            if (excess > worst) (worst, worstAt) = (excess, (double)from / Rate);
        }
        output.WriteLine($"edge {scenario}, S = Ŝ {path}: worst 1 s window {worst:+0.00;-0.00} dB over no ANC at {worstAt:0.0} s; {pipeline.Stats()}");
        Assert.True(ear.All(float.IsFinite));
        Assert.True(worst <= 0.5, $"the ear was {worst:0.00} dB louder than without ANC over the 1 s from {worstAt:0.0} s");
    }
}
