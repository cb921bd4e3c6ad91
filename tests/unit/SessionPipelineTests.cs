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
            await device.StepAsync(frame => Task.FromResult<AntiNoiseFrame?>(last = pipeline.Process(frame, null, out _)));

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
        Assert.Equal(FrameFaults.NotConfigured, pipeline.Process(frame, null, out _).Error);
        Assert.Equal(ConvergenceState.Unconfigured, pipeline.Stats().ConvergenceState);

        pipeline.Configure(new SessionConfig());
        var nan = (float[])silence.Clone();
        nan[7] = float.NaN;
        var features = new FeatureBatcher("pipeline-test");
        var bad = pipeline.Process(frame with { Sequence = 1, Pcm = FrameCodec.EncodeStereo(nan, silence, SampleFormat.Float32) }, features, out var batch);
        Assert.Equal(FrameFaults.NonFinite(float.NaN, 7, 0), bad.Error);
        Assert.Equal(0, features.PendingFrames);
        var good = pipeline.Process(frame with { Sequence = 2, SampleRate = 0 }, features, out batch);
        Assert.True(good.Accepted, good.Error);
        Assert.Null(batch);                                    // 10 ms: the batch waits for 100 ms of audio
        Assert.Equal(1, features.PendingFrames);
        Assert.Equal(2, state.FramesRejected);
        Assert.Equal(1, state.FramesOut);
        Assert.All(pipeline.Process(frame with { Sequence = 3 }, null, out _).Pcm.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_frame_sent_again_is_answered_with_the_same_reply_and_not_processed_twice()
    {
        // The same reply, in a copy of its message: the first reply's array is the gateway's to give back once sent
        // (ReplyBuffers), so the answer again never shares it.
        var pipeline = NewPipeline(out var state);
        pipeline.Configure(new SessionConfig());
        var x = Enumerable.Range(0, 480).Select(n => 0.1f * MathF.Sin(n * 0.05f)).ToArray();
        var frame = new AudioFrame(5, 50_000, 48_000, SampleFormat.Int16, 480, FrameCodec.EncodeStereo(x, x, SampleFormat.Int16));
        var first = pipeline.Process(frame, null, out _);
        var again = pipeline.Process(frame, null, out _);
        Assert.Equal(first with { Message = again.Message }, again);
        Assert.Equal(first.Message, again.Message);
        Assert.NotSame(first.Message, again.Message);
        Assert.Equal(1, state.FramesOut);
    }

    [Fact]
    public void Features_are_batched_by_100_ms_of_audio_and_a_rate_change_closes_a_batch()
    {
        var batcher = new FeatureBatcher("batch-test");
        var x = Enumerable.Range(0, 480).Select(n => 0.5f * MathF.Sin(n * 0.05f)).ToArray();
        var batches = new List<FeatureBatch>();
        for (var f = 0; f < 25; f++)
            if (batcher.Add(f, 48_000, x, -30) is { } b) batches.Add(b);
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(4_800, b.SampleCount));
        Assert.Equal((0L, 9L, 10), (batches[0].FirstSequence, batches[0].LastSequence, batches[0].Frames));
        Assert.Equal((10L, 19L), (batches[1].FirstSequence, batches[1].LastSequence));
        Assert.Equal(0.1, batches[0].Seconds, 6);
        var decoded = new float[480];
        FrameCodec.DecodePcm16(batches[1].ReferencePcm16.AsSpan(0, 960), decoded);
        Assert.All(Enumerable.Range(0, 480), i => Assert.True(Math.Abs(x[i] - decoded[i]) < 1e-4f, $"{i}: {decoded[i]} for {x[i]}"));
        var closed = batcher.Add(25, 16_000, x.AsSpan(0, 160), -30);          // 5 frames at 48 kHz were pending
        Assert.NotNull(closed);
        Assert.Equal((20L, 24L, 48_000), (closed.FirstSequence, closed.LastSequence, closed.SampleRate));
        Assert.Equal(1, batcher.PendingFrames);
        Assert.Equal(16_000, batcher.Flush()!.SampleRate);
        Assert.Null(batcher.Flush());
    }

    [Fact]
    public void Staggered_sessions_cut_their_first_batch_short_by_a_phase_of_their_own_then_batch_100_ms()
    {
        var x = new float[480];
        var firsts = new HashSet<int>();
        for (var s = 0; s < 40; s++)
        {
            var batcher = new FeatureBatcher($"session-{s}", stagger: true);
            var batches = new List<FeatureBatch>();
            for (var f = 0; f < 40; f++)
                if (batcher.Add(f, 48_000, x, -30) is { } b) batches.Add(b);
            Assert.InRange(batches[0].Frames, 1, 10);
            Assert.All(batches.Skip(1), b => Assert.Equal(10, b.Frames));
            var again = new FeatureBatcher($"session-{s}", stagger: true);
            var frames = 0;
            while (again.Add(frames, 48_000, x, -30) is null) frames++;
            Assert.Equal(batches[0].Frames, frames + 1); // the phase depends on the id alone
            firsts.Add(batches[0].Frames);
        }
        Assert.True(firsts.Count >= 6, $"first batches of {string.Join(",", firsts)} frames: the phases should spread");
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionPhase.Of("x", 0));
    }
}
