using AncOrleans.Abstractions;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Abstractions.Protocol;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The emergency path through a session: the feature batches, the emergency grain, the alert and the fade.</summary>
[Collection(ClusterCollection.Name)]
public sealed class EmergencySessionTests(ClusterFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(EmergencyKind.SmokeAlarm, 4.5)]
    [InlineData(EmergencyKind.Siren, 1.5)]
    public async Task An_emergency_in_a_session_raises_an_alert_through_the_stream_and_fades_the_anti_noise(string kind, double limit)
    {
        // Real time: 10 ms frames every 10 ms — the stream path's latency is part of what is measured.
        const int rate = 48_000;
        var id = "alarm-" + Guid.NewGuid().ToString("N")[..8];
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>(id);
        var scene = Scenarios.Create("hum", rate, 8, 20);
        var alarm = EmergencySounds.Create(kind, rate, 6, new NoiseGenerator(1));
        await grain.ConfigureAsync(new SessionConfig(SampleRate: rate, DelayMs: 20, SecondaryPath: scene.SecondaryPath));
        const double onset = 2.0;
        double? alertAt = null, silentAt = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var frame = 0; frame < 700; frame++)
        {
            var start = frame * 480;
            var x = scene.Reference.AsSpan(start, 480).ToArray();
            var t = (double)start / rate;
            if (t >= onset)
                for (var i = 0; i < 480; i++) x[i] += 0.3f * alarm[start - (int)(onset * rate) + i];
            var pcm = FrameCodec.EncodeStereo(x, scene.Disturbance.AsSpan(start, 480), SampleFormat.Float32);
            var reply = await grain.ProcessAsync(new AudioFrame(frame, 0, rate, SampleFormat.Float32, 480, pcm));
            Assert.True(reply.Accepted, reply.Error);
            if (reply.Alert is { Active: true } alert)
            {
                Assert.Equal(kind, alert.Kind);
                alertAt ??= t;
            }
            if (alertAt is not null && silentAt is null && FrameCodec.DecodeMono(reply.Pcm.Span, reply.Format).All(v => v == 0)) silentAt = t;
            if (alertAt is not null && silentAt is not null) break;
            var due = TimeSpan.FromMilliseconds(10 * (frame + 1)) - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due);
        }
        output.WriteLine($"{kind} onset {onset} s; alert with the reply at {alertAt:0.00} s; anti-noise silent from {silentAt:0.00} s");
        Assert.NotNull(alertAt);
        Assert.True(alertAt - onset <= limit, $"alert {alertAt - onset:0.00} s after onset");
        Assert.NotNull(silentAt);
        Assert.True(silentAt - alertAt <= 0.1, $"fade took {silentAt - alertAt:0.000} s");
        var alerts = await grain.GetAlertsAsync();
        Assert.Contains(alerts, a => a.Kind == kind && a.Active);
        Assert.Equal(ConvergenceState.Passthrough, (await grain.GetStatsAsync()).ConvergenceState);
    }
}
