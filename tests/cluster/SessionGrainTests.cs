using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Abstractions.Protocol;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SessionGrainTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int Rate = 48_000;
    private const int Delay = 960; // 20 ms

    [Fact]
    public async Task Hum_is_cancelled_by_at_least_25_dB_through_ProcessAsync()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>("hum-" + Guid.NewGuid());
        var device = new ClosedLoopDevice(Scenarios.Create("hum", Rate, 4, 20), Delay);
        await grain.ConfigureAsync(device.Config());

        await device.RunAsync(grain, 4);

        var reduction = device.ReductionDb(3, 4);
        output.WriteLine($"hum through the grain: {reduction:0.0} dB over the last second");
        Assert.True(reduction >= 25, $"reduction {reduction:0.0} dB");
        var stats = await grain.GetStatsAsync();
        Assert.Equal(400, stats.FramesOut);
        Assert.Equal(0, stats.FramesRejected);
        Assert.True(stats.ReductionDbShortTerm >= 25, $"stats say {stats.ReductionDbShortTerm:0.0} dB");
    }

    [Fact]
    public async Task After_deactivation_the_session_resumes_without_reconverging()
    {
        var id = "restore-" + Guid.NewGuid();
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>(id);
        var device = new ClosedLoopDevice(Scenarios.Create("hum", Rate, 5, 20), Delay);
        await grain.ConfigureAsync(device.Config());
        await device.RunAsync(grain, 3);
        var before = device.ReductionDb(2, 3);

        var management = fixture.Cluster.GrainFactory.GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);

        await device.RunAsync(grain, 1);
        var after = device.ReductionDb(3, 4);
        var stats = await grain.GetStatsAsync();
        output.WriteLine($"before deactivation {before:0.0} dB; first second after restore {after:0.0} dB; restores {stats.Restores}");
        Assert.Equal(1, stats.Restores);
        Assert.True(after >= before - 3, $"after restore {after:0.0} dB vs {before:0.0} dB before");
    }

    [Fact]
    public async Task Bad_frames_are_rejected_with_a_reason_and_the_filter_stays_healthy()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>("bad-" + Guid.NewGuid());
        var device = new ClosedLoopDevice(Scenarios.Create("hum", Rate, 4, 20), Delay);
        await grain.ConfigureAsync(device.Config());
        await device.RunAsync(grain, 1);

        var nan = FrameCodec.EncodeStereo([0.1f, float.NaN, 0.2f], [0.1f, 0.1f, 0.1f], SampleFormat.Float32);
        var good = FrameCodec.EncodeStereo(new float[480], new float[480], SampleFormat.Float32);
        var oversized = FrameCodec.EncodeStereo(new float[6000], new float[6000], SampleFormat.Float32);
        var cases = new (AudioFrame Frame, string Reason)[]
        {
            (new AudioFrame(9001, 0, Rate, SampleFormat.Float32, 3, nan), "non-finite"),
            (new AudioFrame(9002, 0, Rate, SampleFormat.Float32, 6000, oversized), "oversized"),
            (new AudioFrame(9003, 0, Rate, SampleFormat.Float32, 0, []), "empty"),
            (new AudioFrame(9004, 0, 16_000, SampleFormat.Float32, 480, good), "wrong rate"),
            (new AudioFrame(9005, 0, Rate, SampleFormat.Float32, 480, good[..100]), "sample-count mismatch"),
            (new AudioFrame(9006, 0, Rate, SampleFormat.Float32, 1, FrameCodec.EncodeStereo([50f], [0f], SampleFormat.Float32)), "out of range"),
        };
        foreach (var (frame, reason) in cases)
        {
            var reply = await grain.ProcessAsync(frame);
            output.WriteLine($"frame {frame.Sequence}: {reply.Error}");
            Assert.False(reply.Accepted);
            Assert.Equal(frame.Sequence, reply.Sequence);
            Assert.Contains(reason, reply.Error);
        }

        await device.RunAsync(grain, 3);
        var stats = await grain.GetStatsAsync();
        Assert.Equal(cases.Length, stats.FramesRejected);
        Assert.Equal(0, stats.FilterResets);
        var reduction = device.ReductionDb(3, 4);
        output.WriteLine($"after the bad frames: {reduction:0.0} dB");
        Assert.True(reduction >= 25, $"reduction {reduction:0.0} dB after bad frames");
    }

    [Fact]
    public async Task A_frame_sent_again_is_answered_again_without_being_processed_twice()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>("resend-" + Guid.NewGuid());
        var device = new ClosedLoopDevice(Scenarios.Create("hum", Rate, 1, 20), Delay);
        await grain.ConfigureAsync(device.Config());
        await device.RunAsync(grain, 0.5);
        AudioFrame? last = null;
        AntiNoiseFrame? first = null;
        await device.StepAsync(async frame => first = await grain.ProcessAsync(last = frame));

        var again = await grain.ProcessAsync(last!);

        Assert.True(first!.Accepted);
        Assert.Equal(first.Sequence, again.Sequence);
        Assert.Equal(first.PlayoutTimestampUs, again.PlayoutTimestampUs);
        Assert.Equal(first.Message, again.Message);
        var stats = await grain.GetStatsAsync();
        Assert.Equal(51, stats.FramesIn);
        Assert.Equal(51, stats.FramesOut);
    }

    [Fact]
    public async Task An_unconfigured_session_rejects_audio_and_a_bad_config_names_the_field()
    {
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>("unconfigured-" + Guid.NewGuid());
        var reply = await grain.ProcessAsync(new AudioFrame(1, 0, Rate, SampleFormat.Int16, 1, new byte[4]));
        Assert.Contains("not configured", reply.Error);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => grain.ConfigureAsync(new SessionConfig(Algorithm: "lms")));
        Assert.Contains("algorithm", error.Message);
        Assert.Equal(ConvergenceState.Unconfigured, (await grain.GetStatsAsync()).ConvergenceState);
    }
}
