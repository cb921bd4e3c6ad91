using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Evaluation;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Device;
using AncOrleans.Dsp;
using AncOrleans.Grains.Sessions;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>Edge mode (issue 11): the must-show on short runs, the device library's checks, and the faults.</summary>
public sealed class EdgeModeTests(ITestOutputHelper output)
{
    private EvalResult Edge(string scenario, double delayMs, double seconds, EdgeEvaluation.Faults? faults = null)
    {
        var scene = Scenarios.Create(scenario, 48_000, seconds, delayMs);
        var r = EdgeEvaluation.Run(scene, new EdgeSettings(), delayMs, out var report, faults);
        output.WriteLine($"{scenario} edge, sets {delayMs} ms late: {r.ReductionDb:0.00} dB (edge bound {r.BoundDb:0.00}), convergence {r.ConvergenceMs} ms, " +
            $"sets sent {report.SetsSent}, applied {report.SetsApplied}, mean age {report.MeanAgeMs:0} ms");
        return r;
    }

    [Theory]
    [InlineData("broadband", 20)]
    [InlineData("babble", 40)]
    [InlineData("fan", 100)]
    public void Broadband_babble_and_fan_are_cancelled_by_20_dB(string scenario, double delayMs)
    {
        var r = Edge(scenario, delayMs, 4);
        Assert.True(r.ReductionDb >= 20, $"{r.ReductionDb:0.00} dB");
        Assert.True(r.ReductionDb <= r.BoundDb + 1, "no fixed filter of the same shape should be beaten by much on a stationary scene");
    }

    [Theory]
    [InlineData("hum")]
    [InlineData("engine-runup")]
    public void Tonal_scenes_are_at_least_as_good_as_antinoise_mode(string scenario)
    {
        var edge = Edge(scenario, 20, 4);
        var scene = Scenarios.Create(scenario, 48_000, 4, 20);
        var anti = AncEvaluation.RunAntiNoise(scene, new AncSettings { DelaySamples = AncSettings.MillisecondsToSamples(20, 48_000) });
        output.WriteLine($"{scenario} antinoise hybrid D=20: {anti.ReductionDb:0.00} dB");
        Assert.True(edge.ReductionDb >= anti.ReductionDb, $"edge {edge.ReductionDb:0.00} dB < antinoise {anti.ReductionDb:0.00} dB");
        Assert.True(edge.ReductionDb > 0);
    }

    [Fact]
    public void Late_and_skipped_sets_still_converge()
    {
        // Every third set lost on the way, and every set a further 150 ms late.
        var r = Edge("broadband", 40, 4, new EdgeEvaluation.Faults { Delivered = v => v % 3 != 0, ExtraLateSamples = 7_200 });
        Assert.True(r.ReductionDb >= 20, $"{r.ReductionDb:0.00} dB");
    }

    [Fact]
    public void Lost_upload_frames_do_not_stop_convergence()
    {
        var r = Edge("broadband", 40, 4, new EdgeEvaluation.Faults { Uploaded = frame => frame % 7 != 3 });
        Assert.True(r.ReductionDb >= 20, $"{r.ReductionDb:0.00} dB");
    }

    [Fact]
    public void After_a_lost_upload_frame_the_version_tag_keeps_the_noise_estimate_exact()
    {
        // The device changes sets during a frame the cloud never receives; the next frame's tag says what it played.
        var scene = Scenarios.Create("broadband", 48_000, 3, 40);
        var cloud = new EdgeCanceller(new EdgeSettings { SecondaryPath = scene.SecondaryPath });
        var device = new EdgeFilter(cloud.Length);
        var secondary = new FirFilter(scene.SecondaryPath);
        var y = new float[480];
        var e = new float[480];
        var estimate = new float[480];
        CoefficientSet? pending = null;
        double errorPower = 0, noisePower = 0;
        var lostAt = -1;
        for (int start = 0, k = 0; start + 480 <= scene.Length; start += 480, k++)
        {
            var applying = pending is not null && start > 48_000;
            if (applying) { device.Apply(pending!.Version, pending.Taps, pending.CrossfadeSamples); pending = null; }
            var tag = new EdgeTag(device.Version, device.FadingFrom, device.FadeElapsed);
            var x = scene.Reference.AsSpan(start, 480);
            device.Process(x, y);
            for (var i = 0; i < 480; i++) e[i] = scene.Disturbance[start + i] + secondary.Process(y[i]);
            if (applying && lostAt < 0) { lostAt = k; cloud.Gap(480); continue; } // lost: the cloud never sees this frame
            var set = cloud.Process(x, e, tag, estimate);
            if (set is not null) pending = set;
            if (lostAt >= 0 && k >= lostAt + 3)
            {
                for (var i = 0; i < 480; i++)
                {
                    var d = scene.Disturbance[start + i];
                    errorPower += (estimate[i] - d) * (estimate[i] - d);
                    noisePower += d * d;
                }
            }
        }
        Assert.True(lostAt > 0, "a set was applied during a lost frame");
        var db = 10 * Math.Log10(noisePower / errorPower);
        output.WriteLine($"d̂ vs d after the lost frame: {db:0.0} dB apart; gaps {cloud.Gaps}, unknown versions {cloud.UnknownVersions}");
        Assert.True(db > 60, $"d̂ is only {db:0.0} dB from d");
    }

    private static byte[] SetMessage(uint version, float value, int taps = 512)
    {
        var w = new float[taps];
        w[0] = value;
        return new CoefficientMessage(version, 1000, 48_000, 48, w).ToBytes();
    }

    [Fact]
    public void A_corrupted_set_is_refused_reported_and_the_last_good_one_kept()
    {
        var device = new EdgeDevice(48_000, 512, 480);
        var x = new float[480];
        x[0] = 1;
        var y = new float[480];
        Assert.True(device.OnMessage(SetMessage(1, 0.5f), text: false));
        device.Filter(x, y, 10_000);
        device.Record(x, y, 10_000);
        Assert.Equal(1u, device.AppliedVersion);

        var bad = SetMessage(2, 0.9f);
        bad[40] ^= 0x10; // one bit flipped in the taps
        Assert.True(device.OnMessage(bad, text: false));
        device.Filter(x, y, 20_000);
        device.Record(x, y, 20_000);
        Assert.Equal(1u, device.AppliedVersion);
        Assert.Equal(1, device.SetsRefused);
        Assert.Contains("checksum", device.LastRefusal);
        var report = Assert.Single(device.TakeReports());
        Assert.True(ControlMessage.TryParse(report, out var message, out _));
        Assert.Equal("coefficientsRefused", message!.Type);
        Assert.Equal(2u, message.Version);
        Assert.Equal(0.5f, y[0], 3); // the good set, faded in at the next frame, still playing: W(0) = 0.5 on a unit impulse

        // The wrong length is refused as well.
        Assert.True(device.OnMessage(SetMessage(3, 0.9f, taps: 256), text: false));
        Assert.Equal(2, device.SetsRefused);
        Assert.True(device.OnMessage(SetMessage(4, 0.25f), text: false));
        device.Filter(x, y, 30_000);
        Assert.Equal(4u, device.AppliedVersion);
    }

    [Fact]
    public void Edge_frames_carry_their_tag_and_version_1_frames_still_parse()
    {
        var pcm = FrameCodec.EncodeStereo(new float[4], new float[4], SampleFormat.Int16);
        var edge = new WireFrame(WireFrame.EdgeAudio, SampleFormat.Int16, 2, 7, 123, 4, 48_000, pcm, AppliedVersion: 5, FadingFrom: 4, FadeElapsed: 96).ToBytes();
        Assert.Equal(WireFrame.EdgeHeaderSize + 16, edge.Length);
        Assert.True(WireFrame.TryParseAudio(edge, out var frame, out var error, out _), error);
        Assert.Equal(new EdgeVersionTag(5, 4, 96), frame!.Edge);
        var plain = new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, 8, 123, 4, 48_000, pcm).ToBytes();
        Assert.True(WireFrame.TryParseAudio(plain, out var old, out _, out _));
        Assert.Null(old!.Edge);
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    [Fact]
    public void A_session_in_edge_mode_sends_sets_that_the_device_library_accepts()
    {
        var state = new SessionCheckpoint();
        var pipeline = new SessionPipeline("edge-test", new SessionGrainOptions(), state);
        var scene = Scenarios.Create("broadband", 48_000, 2, 40);
        pipeline.Configure(new SessionConfig(Mode: "edge", SecondaryPath: scene.SecondaryPath, FrameSamples: 480));
        var device = new EdgeDevice(48_000, 512, 480);
        var secondary = new FirFilter(scene.SecondaryPath);
        var y = new float[480];
        var e = new float[480];
        var sets = 0;
        for (var start = 0; start + 480 <= scene.Length; start += 480)
        {
            var x = scene.Reference.AsSpan(start, 480);
            var t = start * 1_000_000L / 48_000;
            device.Filter(x, y, t);
            for (var i = 0; i < 480; i++) e[i] = scene.Disturbance[start + i] + secondary.Process(y[i]);
            var bytes = device.Record(x, e, t)!;
            Assert.True(WireFrame.TryParseAudio(bytes, out var frame, out var error, out _), error);
            var reply = pipeline.Process(frame, null, out _);
            Assert.True(reply.Accepted, reply.Error);
            if (reply.Message.Length > 0) { sets++; Assert.True(device.OnMessage(reply.Message, text: false)); }
        }
        output.WriteLine($"{sets} sets, applied {device.SetsApplied}, refused {device.SetsRefused}; stats: {pipeline.Stats()}");
        Assert.True(sets > 3);
        Assert.Equal(0, device.SetsRefused);
        Assert.Equal("edge", pipeline.Stats().Mode);
        Assert.True(pipeline.Stats().ReductionDbShortTerm > 10, $"{pipeline.Stats().ReductionDbShortTerm:0.0} dB");
    }

    [Fact]
    public void An_emergency_in_edge_mode_silences_the_device_within_100_ms_and_no_set_plays_until_it_clears()
    {
        // The device plays its own filter, so the cloud cannot fade its output: the alert event makes the device
        // fade to the all-zero version 0, the cloud sends a zero set too, and no other set until the alert clears.
        const int rate = 48_000, frame = 480;
        var pipeline = new SessionPipeline("edge-alert", new SessionGrainOptions(), new SessionCheckpoint());
        var scene = Scenarios.Create("broadband", rate, 8, 40);
        pipeline.Configure(new SessionConfig(Mode: "edge", SecondaryPath: scene.SecondaryPath, FrameSamples: frame));
        var device = new EdgeDevice(rate, 512, frame);
        var secondary = new FirFilter(scene.SecondaryPath);
        var y = new float[frame];
        var e = new float[frame];
        var alert = new EmergencyAlert("edge-alert", "siren", DateTime.UtcNow, 3.0, Active: true);
        double? silentAt = null;
        var nonZeroDuringAlert = 0;
        for (var start = 0; start + frame <= scene.Length; start += frame)
        {
            var t = (double)start / rate;
            if (start == 3 * rate) pipeline.Alert(alert);
            if (start == 5 * rate) pipeline.Alert(alert with { Active = false });
            var x = scene.Reference.AsSpan(start, frame);
            device.Filter(x, y, start * 1_000_000L / rate);
            if (device.AlertActive && silentAt is null && y.All(v => v == 0)) silentAt = t;
            for (var i = 0; i < frame; i++) e[i] = scene.Disturbance[start + i] + secondary.Process(y[i]);
            Assert.True(WireFrame.TryParseAudio(device.Record(x, e, start * 1_000_000L / rate)!, out var audio, out var error, out _), error);
            var reply = pipeline.Process(audio, null, out _);
            if (reply.Alert is { } raised) device.OnMessage(new ControlMessage { Type = "alert", Alert = raised }.ToUtf8(), text: true);
            if (reply.Message.Length == 0) continue;
            Assert.True(CoefficientMessage.TryParse(reply.Message, out var set, out error), error);
            if (t >= 3 && t < 5 && set!.Taps.Any(v => v != 0)) nonZeroDuringAlert++;
            device.OnMessage(reply.Message, text: false);
        }
        output.WriteLine($"alert at 3.00 s, device silent from {silentAt:0.000} s; stats after: {pipeline.Stats()}");
        Assert.NotNull(silentAt);
        Assert.True(silentAt - 3.0 <= 0.1, $"silent {silentAt - 3.0:0.000} s after the alert");
        Assert.Equal(0, nonZeroDuringAlert);
        Assert.False(device.AlertActive);
        Assert.NotEqual(0u, device.AppliedVersion); // sets play again after the alert
        Assert.True(pipeline.Stats().ReductionDbShortTerm > 10, $"{pipeline.Stats().ReductionDbShortTerm:0.0} dB after the alert");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_restarted_edge_session_goes_on_from_its_checkpoint_and_a_device_on_a_forgotten_set_is_resynchronised(bool staleCheckpoint)
    {
        // A session re-activated elsewhere (failover, deactivation) restores the last set it sent and its filter. With a
        // stale checkpoint the device tags a set the session never heard of: it gets a fresh set within an update period.
        const int rate = 48_000, frame = 480;
        var state = new SessionCheckpoint();
        var options = new SessionGrainOptions();
        var pipeline = new SessionPipeline("edge-restore", options, state);
        var scene = Scenarios.Create("broadband", rate, 10, 40);
        pipeline.Configure(new SessionConfig(Mode: "edge", SecondaryPath: scene.SecondaryPath, FrameSamples: frame));
        var device = new EdgeDevice(rate, 512, frame);
        var secondary = new FirFilter(scene.SecondaryPath);
        var y = new float[frame];
        var e = new float[frame];
        var ear = new float[scene.Length];
        byte[]? early = null;
        for (var start = 0; start + frame <= scene.Length; start += frame)
        {
            if (start == 2 * rate) { pipeline.SaveFilterState(); early = state.FilterState; }
            if (start == 6 * rate)
            {
                pipeline.SaveFilterState();
                if (staleCheckpoint) state.FilterState = early!;
                pipeline = new SessionPipeline("edge-restore", options, state);
                pipeline.Restore();
            }
            var x = scene.Reference.AsSpan(start, frame);
            var t = start * 1_000_000L / rate;
            device.Filter(x, y, t);
            for (var i = 0; i < frame; i++) ear[start + i] = e[i] = scene.Disturbance[start + i] + secondary.Process(y[i]);
            Assert.True(WireFrame.TryParseAudio(device.Record(x, e, t)!, out var audio, out var error, out _), error);
            var reply = pipeline.Process(audio, null, out _);
            Assert.True(reply.Accepted, reply.Error);
            if (reply.Message.Length > 0) device.OnMessage(reply.Message, text: false);
        }
        double Db(double from, double to) => ReductionMeter.Db(scene.Disturbance.AsSpan((int)(from * rate), (int)((to - from) * rate)), ear.AsSpan((int)(from * rate), (int)((to - from) * rate)));
        var before = Db(5, 6);
        var after = Db(6, 7);
        var end = Db(9, 10);
        output.WriteLine($"stale {staleCheckpoint}: {before:0.0} dB before the restart, {after:0.0} dB the second after, {end:0.0} dB at the end; unknown-version frames after restore: {pipeline.Stats()}");
        Assert.True(end >= 20, $"{end:0.0} dB at the end");
        Assert.True(pipeline.Stats().ReductionDbShortTerm >= 20, $"the session adapts again: {pipeline.Stats().ReductionDbShortTerm:0.0} dB");
        if (!staleCheckpoint) Assert.True(after >= before - 3, $"{after:0.0} dB after vs {before:0.0} before");
    }

    [Fact]
    public void The_duty_phase_moves_a_session_s_bursts_within_the_period()
    {
        // Duty 0.25 of a 2 s period: once converged, a canceller adapts on 0.5 s of every 2 s, starting at its phase.
        var scene = Scenarios.Create("broadband", 48_000, 10, 20);
        const int frame = 480, period = 200; // frames per 2 s
        int[] AdaptedFrames(double phase)
        {
            var cloud = new EdgeCanceller(new EdgeSettings { SecondaryPath = scene.SecondaryPath, DutyCycle = 0.25, DutyPhase = phase });
            var adapted = new List<int>();
            for (var k = 0; (k + 1) * frame <= scene.Length; k++)
            {
                var before = cloud.SamplesAdapted;
                cloud.Process(scene.Reference.AsSpan(k * frame, frame), scene.Disturbance.AsSpan(k * frame, frame), new EdgeTag(0, 0, 0));
                if (k >= 3 * period && cloud.SamplesAdapted > before) adapted.Add(k % period); // after convergence
            }
            Assert.True(cloud.Converged, "the cloud's filter converges on broadband");
            return adapted.ToArray();
        }
        var first = AdaptedFrames(0);
        var second = AdaptedFrames(0.5);
        Assert.NotEmpty(first);
        Assert.NotEmpty(second);
        Assert.All(first, k => Assert.InRange(k, 0, 49));
        Assert.All(second, k => Assert.InRange(k, 100, 149));
    }

    [Fact]
    public void A_session_s_duty_phase_comes_from_its_id()
    {
        var config = new SessionConfig(Mode: "edge", DutyCycle: 0.25);
        Assert.Equal(0, SessionSettings.Edge(config).DutyPhase);
        var phases = Enumerable.Range(0, 50).Select(i => SessionSettings.Edge(config, $"device-{i}").DutyPhase).ToArray();
        Assert.All(phases, p => Assert.InRange(p, 0, 0.99));
        Assert.Equal(SessionSettings.Edge(config, "device-7").DutyPhase, phases[7]);
        Assert.True(phases.Distinct().Count() > 20, "sessions' bursts spread over the period");
    }
}
