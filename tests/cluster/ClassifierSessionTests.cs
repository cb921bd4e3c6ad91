using AncOrleans.Abstractions;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Classification;
using AncOrleans.Grains.Classification;
using AncOrleans.Abstractions.Protocol;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The classifier through a session: the feature batches, the classifier grain and the retune.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClassifierSessionTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task A_session_is_retuned_after_a_sustained_change_of_noise_and_not_before()
    {
        // Hum for 12 s, then white noise: the classifier grain (stream path) names each and, past the hysteresis,
        // retunes the session from the tonal to the broadband profile, sending classification events with replies.
        const int rate = 16_000, frame = 160;
        var id = "classify-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>(id);
        await grain.ConfigureAsync(new SessionConfig(SampleRate: rate, DelayMs: 20, FrameSamples: frame));
        var signal = NoiseLibrary.Render("hum", rate, 12, new NoiseGenerator(41)).Concat(NoiseLibrary.Render("white_noise", rate, 28, new NoiseGenerator(42))).ToArray();
        var events = new List<NoiseClassification>();
        for (var n = 0; n + frame <= signal.Length; n += frame)
        {
            var x = signal.AsSpan(n, frame);
            var reply = await grain.ProcessAsync(new AudioFrame(n / frame, n * 1_000_000L / rate, rate, SampleFormat.Float32, frame, FrameCodec.EncodeStereo(x, x, SampleFormat.Float32)));
            Assert.True(reply.Accepted, reply.Error);
            if (reply.Classification is { } c) events.Add(c);
            if (n == 11 * rate) Assert.Equal("tonal", await WaitForProfile(grain, "tonal"));
        }
        Assert.Equal("broadband-steady", await WaitForProfile(grain, "broadband-steady"));
        var stats = await grain.GetStatsAsync();
        Assert.Equal("white_noise", stats.NoiseLabel);
        output.WriteLine(string.Join(Environment.NewLine, events.Select(e => $"{e.AudioSeconds,5:0.0} s {e.Label} {e.Confidence:P0} → {e.Profile} (apply {e.ApplyProfile}) via {e.Backend}")));
        Assert.Contains(events, e => e is { Label: "hum", Profile: "tonal", ApplyProfile: true });
        Assert.Contains(events, e => e is { Label: "white_noise", Profile: "broadband-steady", ApplyProfile: true } && e.AudioSeconds > 12);
        Assert.Equal(2, events.Count(e => e.ApplyProfile));
    }

    private static async Task<string?> WaitForProfile(ISessionGrain grain, string profile)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? now;
        while ((now = (await grain.GetStatsAsync()).Profile) != profile && DateTime.UtcNow < deadline) await Task.Delay(100);
        return now;
    }
}
