using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Grains.Sessions;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>A session's frame handling without Orleans: the same class the grain runs.</summary>
public sealed class SessionPipelineTests(ITestOutputHelper output)
{
    private static SessionPipeline NewPipeline(out SessionCheckpoint state)
    {
        state = new SessionCheckpoint();
        return new SessionPipeline("pipeline-test", new SessionGrainOptions(), state);
    }

    [Fact]
    public async Task Hum_is_cancelled_and_each_reply_is_the_devices_wire_frame()
    {
        var pipeline = NewPipeline(out var state);
        var device = new ClosedLoopDevice(Scenarios.Create("hum", 48_000, 3, 20), 960);
        pipeline.Configure(device.Config());
        AntiNoiseFrame? last = null;
        while (!device.Finished)
            await device.StepAsync(frame => Task.FromResult<AntiNoiseFrame?>(last = pipeline.Process(frame, withFeatures: false, out _)));

        var reduction = device.ReductionDb(2, 3);
        output.WriteLine($"hum through SessionPipeline: {reduction:0.0} dB over the last second");
        Assert.True(reduction >= 25, $"{reduction:0.0} dB");
        Assert.Equal(300, state.FramesOut);
        Assert.True(WireFrame.TryParse(last!.Message, out var wire, out var error), error);
        Assert.Equal(WireFrame.AntiNoise, wire.Type);
        Assert.Equal(1, wire.Channels);
        Assert.Equal(last.Sequence, wire.Sequence);
        Assert.Equal(last.PlayoutTimestampUs, wire.TimestampUs);
        Assert.Equal(480, wire.SampleCount);
        Assert.Contains(pipeline.Stats().ConvergenceState, new[] { ConvergenceState.Converging, ConvergenceState.Converged });
    }

    [Fact]
    public void A_frame_before_configuration_and_a_NaN_frame_are_rejected_and_the_filter_stays_healthy()
    {
        var pipeline = NewPipeline(out var state);
        var silence = new float[480];
        var frame = new AudioFrame(0, 0, 48_000, SampleFormat.Float32, 480, FrameCodec.EncodeStereo(silence, silence, SampleFormat.Float32));
        Assert.Equal(FrameFaults.NotConfigured, pipeline.Process(frame, false, out _).Error);
        Assert.Equal(ConvergenceState.Unconfigured, pipeline.Stats().ConvergenceState);

        pipeline.Configure(new SessionConfig());
        var nan = (float[])silence.Clone();
        nan[7] = float.NaN;
        var bad = pipeline.Process(frame with { Sequence = 1, Pcm = FrameCodec.EncodeStereo(nan, silence, SampleFormat.Float32) }, true, out var features);
        Assert.Equal(FrameFaults.NonFinite(float.NaN, 7, 0), bad.Error);
        Assert.Null(features);
        var good = pipeline.Process(frame with { Sequence = 2, SampleRate = 0 }, true, out features);
        Assert.True(good.Accepted, good.Error);
        Assert.NotNull(features);
        Assert.Equal(2, state.FramesRejected);
        Assert.Equal(1, state.FramesOut);
        Assert.All(pipeline.Process(frame with { Sequence = 3 }, false, out _).Pcm.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_frame_sent_again_is_answered_with_the_same_reply_and_not_processed_twice()
    {
        var pipeline = NewPipeline(out var state);
        pipeline.Configure(new SessionConfig());
        var x = Enumerable.Range(0, 480).Select(n => 0.1f * MathF.Sin(n * 0.05f)).ToArray();
        var frame = new AudioFrame(5, 50_000, 48_000, SampleFormat.Int16, 480, FrameCodec.EncodeStereo(x, x, SampleFormat.Int16));
        var first = pipeline.Process(frame, false, out _);
        var again = pipeline.Process(frame, false, out _);
        Assert.Same(first, again);
        Assert.Equal(1, state.FramesOut);
    }
}
