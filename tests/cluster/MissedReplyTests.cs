using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Evaluation;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// One reply that never reached the speaker (a late frame: the device plays silence for it and flags the error-mic
/// frame that heard it, <c>AntiNoiseMissed</c>) costs the reduction of that frame only: the canceller does not lose
/// its weights or its timing over it. (A probe for the 6.8 dB seen once in CI with one late frame: not this.)
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class MissedReplyTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const int Rate = 48_000, Frame = 480, Delay = 960;

    [Fact]
    public async Task One_reply_not_played_costs_only_its_own_frame()
    {
        var scene = Scenarios.Create("hum", Rate, 12, 20);
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>("missed-" + Guid.NewGuid());
        await grain.ConfigureAsync(new SessionConfig(SampleRate: Rate, Mode: "antinoise", Algorithm: "hybrid", DelayMs: 20,
            FilterLength: 512, SecondaryPath: scene.SecondaryPath, FrameSamples: Frame));
        var secondary = new FirFilter(scene.SecondaryPath);
        var speaker = new float[scene.Length + Delay + Frame];
        var ear = new float[scene.Length];
        var played = new bool[scene.Length / Frame];
        const int dropped = 1_000; // the reply to frame 1,000 (10 s in) plays no anti-noise
        for (var k = 0; k < played.Length; k++)
        {
            var start = k * Frame;
            for (var n = start; n < start + Frame; n++) ear[n] = scene.Disturbance[n] + secondary.Process(speaker[n]);
            var due = k - Delay / Frame; // the reply whose anti-noise plays during this frame
            var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(start, Frame), ear.AsSpan(start, Frame), SampleFormat.Float32);
            var reply = await grain.ProcessAsync(new AudioFrame(k, start * 1_000_000L / Rate, Rate, SampleFormat.Float32, Frame, pcm, due >= 0 && !played[due]));
            Assert.True(reply.Accepted, reply.Error);
            played[k] = k != dropped;
            if (played[k]) FrameCodec.DecodeMono(reply.Pcm.Span, reply.Format).CopyTo(speaker.AsSpan(start + Delay));
        }
        double Second(int s) => ReductionMeter.Db(scene.Disturbance.AsSpan(s * Rate, Rate), ear.AsSpan(s * Rate, Rate));
        output.WriteLine($"seconds 9, 10 (with the silent frame), 11: {Second(9):0.0}, {Second(10):0.0}, {Second(11):0.0} dB");
        Assert.True(Second(9) >= 25, $"before: {Second(9):0.0} dB");
        // The silent frame's own noise: 1 frame of 100 at 0 dB caps that second near 20 dB.
        Assert.True(Second(10) >= 17, $"the second with the silent frame: {Second(10):0.0} dB");
        Assert.True(Second(11) >= Second(9) - 1, $"after: {Second(11):0.0} dB against {Second(9):0.0} dB before");
    }
}
