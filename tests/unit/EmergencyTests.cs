using AncOrleans.Abstractions;
using AncOrleans.Cli.Classify;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Abstractions.Protocol;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>The emergency path: the detector on real recordings, and alerts through the session's stream.</summary>
public sealed class EmergencyTests(ITestOutputHelper output)
{
    private static string RealAlarms()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AncOrleans.sln"))) directory = directory.Parent;
        var path = Path.GetFullPath(Path.Combine(directory!.FullName, "..", "shared", "data", "real-alarms"));
        Assert.True(Directory.Exists(path), $"the real recordings are expected at {path}");
        return path;
    }

    [Theory]
    [InlineData("325367_moonlightshadow_fire-house-alarm.wav", 3.3)]
    [InlineData("ALRMElec_Smoke_detector_alarm_ID_0800_BSB.wav", 0)]
    [InlineData("ALRMElec_Smoke_detector_alarm_2_ID_1151_BSB.wav", 0)]
    [InlineData("ALRMElec_Smoke_detector_alarm_3_ID_1153_BSB.wav", 0)]
    public void Each_real_smoke_alarm_recording_raises_a_smoke_alarm_and_its_silent_lead_in_does_not(string file, double alarmStartsAt)
    {
        var windows = ClassifyCommand.Run(WavFile.Read(Path.Combine(RealAlarms(), file)));
        var first = windows.First(w => w.Emergency);
        output.WriteLine($"{file}: first emergency window at {first.StartSec} s ({first.EmergencyType})");
        Assert.Equal(EmergencyKind.SmokeAlarm, first.EmergencyType);
        Assert.All(windows.Where(w => w.StartSec + 1 <= alarmStartsAt), w => Assert.False(w.Emergency));
        Assert.All(windows.Where(w => w.Emergency), w => Assert.Equal(EmergencyKind.SmokeAlarm, w.EmergencyType));
    }

    [Theory]
    [InlineData(EmergencyKind.SmokeAlarm, 4.5)]
    [InlineData(EmergencyKind.CoAlarm, 4.5)]
    public void Alarms_at_0_dB_in_pink_noise_are_detected_within_a_cycle(string kind, double limit)
    {
        var random = new NoiseGenerator(4242);
        var mix = EmergencySounds.Mix(EmergencySounds.Create(kind, 16_000, 8, random), EmergencySounds.Background("pink_noise", 16_000, 8, random), 0);
        var detector = new EmergencyDetector(16_000);
        double? at = null;
        detector.Detected += (k, t) => { if (k == kind) at ??= t; };
        detector.Push(mix);
        Assert.NotNull(at);
        Assert.True(at <= limit, $"{kind} detected at {at:0.00} s");
    }

    [Fact]
    public void Polynomial_fits_recover_a_known_line_and_parabola()
    {
        var x = Enumerable.Range(0, 40).Select(i => 3.0 + 0.016 * i).ToArray();
        var line = PolynomialFit.Line(x, x.Select(t => 5 - 2 * t).ToArray());
        Assert.Equal(-2, line.B, 9);
        Assert.Equal(5 - 2 * line.Centre, line.A, 9);
        var q = PolynomialFit.Quadratic(x, x.Select(t => 700 + 300 * t - 80 * t * t).ToArray());
        var u = 3.5 - q.Centre;
        Assert.Equal(700 + 300 * 3.5 - 80 * 3.5 * 3.5, q.A + q.B * u + q.C * u * u, 6);
        Assert.Equal(-80, q.C, 6);
    }

    [Fact]
    public void A_held_tone_holds_its_line_and_a_voice_like_vibrato_does_not()
    {
        const int rate = 16_000;
        var noise = new NoiseGenerator(11).White(2 * rate);
        foreach (var (vibrato, expectSteady) in new[] { (0.0, true), (0.03, false) })
        {
            var tone = HarmonicSource.Render(2 * rate, rate, t => 440 * (1 + vibrato * Math.Sin(2 * Math.PI * 5 * t)), [1.0], new NoiseGenerator(3));
            var tracker = new SteadyLineTracker(rate);
            var longest = 0.0;
            var signal = tone.Select((v, i) => v + 0.05f * noise[i]).ToArray();
            tracker.Push(signal, _ =>
            {
                for (var k = tracker.Bin(420); k <= tracker.Bin(460); k++) longest = Math.Max(longest, tracker.SteadySeconds(k));
            });
            output.WriteLine($"vibrato {vibrato:P0}: longest steady run near 440 Hz {longest:0.00} s");
            if (expectSteady) Assert.True(longest >= 1.7, $"a held tone held only {longest:0.00} s");
            else Assert.True(longest < 0.5, $"a 5 Hz ±3 % vibrato held {longest:0.00} s");
        }
    }

    // Seeds 910000+ were never used for tuning (that was 500000–840000); these check behaviour, not timing.
    // 16 kHz analyses 3–7.2 kHz, 48 kHz (the stream path's rate) 3–10.8 kHz with its own thresholds: both are tested.
    [Theory]
    [InlineData("pink_noise", 16_000)]
    [InlineData("babble", 16_000)]
    [InlineData("traffic", 16_000)]
    [InlineData("pink_noise", 48_000)]
    [InlineData("babble", 48_000)]
    [InlineData("traffic", 48_000)]
    public void Glass_breaks_at_0_dB_raise_a_glass_break_alert_that_clears_after_the_release(string background, int rate)
    {
        for (var seed = 910_001; seed <= 910_004; seed++)
        {
            var random = new NoiseGenerator(seed);
            var glass = EmergencySounds.Create(EmergencyKind.GlassBreak, rate, 10, random);
            var mix = EmergencySounds.Mix(glass, EmergencySounds.Background(background, rate, 10, random), 0);
            var onset = Array.FindIndex(glass, v => Math.Abs(v) > 1e-4f) / (double)rate;
            var detector = new EmergencyDetector(rate);
            var events = new List<(string Kind, double At, bool Active)>();
            detector.Detected += (k, t) => events.Add((k, t, true));
            detector.Cleared += (k, t) => events.Add((k, t, false));
            detector.Push(mix);
            output.WriteLine($"{background} seed {seed}: onset {onset:0.00} s; {string.Join(", ", events.Select(e => $"{(e.Active ? "alert" : "cleared")} {e.Kind} at {e.At:0.00} s"))}");
            Assert.Equal(2, events.Count);
            Assert.Equal((EmergencyKind.GlassBreak, true), (events[0].Kind, events[0].Active));
            Assert.True(events[0].At >= onset, "alert before the crash");
            Assert.Equal((EmergencyKind.GlassBreak, false), (events[1].Kind, events[1].Active));
        }
    }

    [Theory]
    [InlineData("cutlery", 16_000)]
    [InlineData("door_slam", 16_000)]
    [InlineData("cutlery", 48_000)]
    [InlineData("door_slam", 48_000)]
    public void Dropped_cutlery_and_door_slams_are_not_glass_breaks(string kind, int rate)
    {
        for (var seed = 910_101; seed <= 910_103; seed++)
        {
            var detector = new EmergencyDetector(rate);
            var alerts = new List<string>();
            detector.Detected += (k, _) => alerts.Add(k);
            detector.Push(EmergencySounds.Create(kind, rate, 30, new NoiseGenerator(seed)));
            Assert.True(alerts.Count == 0, $"{kind} seed {seed} raised {string.Join(", ", alerts)}");
        }
    }

    // Six held-out seeds each. A T4 pulse is 100 ms; at 0 dB a syllable of babble can take the strongest peak for a
    // frame or two inside it (seed 910302 failed before pulses bridged such dropouts).
    [Theory]
    [InlineData(16_000)]
    [InlineData(48_000)]
    public void Repeated_two_note_chimes_are_not_sirens_to_the_patterns(int rate)
    {
        // Alternating decaying notes (the generator's training-only "chime") are a hi-lo siren's pitch pattern; the
        // hi-lo test's level checks must keep them out.
        for (var seed = 910_401; seed <= 910_406; seed++)
        {
            var random = new NoiseGenerator(seed);
            var chime = EmergencySounds.Create("chime", rate, 10, random);
            Assert.True(chime.Max(Math.Abs) > 0.1f);
            var detector = new EmergencyDetector(rate);
            var alerts = new List<string>();
            detector.Detected += (k, _) => alerts.Add(k);
            detector.Push(EmergencySounds.Mix(chime, EmergencySounds.Background("pink_noise", rate, 10, random), 10));
            Assert.DoesNotContain(EmergencyKind.Siren, alerts);
        }
    }

    [Theory]
    [InlineData(EmergencyKind.CarHorn, 16_000, 910_201)]
    [InlineData(EmergencyKind.CoAlarm, 48_000, 910_301)]
    public void An_emergency_at_0_dB_in_babble_is_recognised(string kind, int rate, int firstSeed)
    {
        for (var seed = firstSeed; seed < firstSeed + 6; seed++)
        {
            var random = new NoiseGenerator(seed);
            var mix = EmergencySounds.Mix(EmergencySounds.Create(kind, rate, 8, random),
                EmergencySounds.Background("babble", rate, 8, random), 0);
            var detector = new EmergencyDetector(rate);
            var alerts = new List<(string Kind, double At)>();
            detector.Detected += (k, t) => alerts.Add((k, t));
            detector.Push(mix);
            output.WriteLine($"seed {seed}: {string.Join(", ", alerts.Select(a => $"{a.Kind} at {a.At:0.00} s"))}");
            Assert.NotEmpty(alerts);
            Assert.Equal(kind, alerts[0].Kind);
        }
    }

    [Theory]
    [InlineData(16_000)]
    [InlineData(48_000)]
    public void The_detector_allocates_nothing_once_running(int rate)
    {
        var random = new NoiseGenerator(5);
        var audio = EmergencySounds.Mix(EmergencySounds.Create(EmergencyKind.Siren, rate, 6, random), EmergencySounds.Background("babble", rate, 6, random), 0);
        var detector = new EmergencyDetector(rate);
        detector.Push(audio.AsSpan(0, 3 * rate));                     // warm up: every ring and queue at its size
        var frame = rate / 100;
        ThreadAllocations.AssertNone(() =>
        {
            for (var start = 3 * rate; start + frame <= audio.Length; start += frame) detector.Push(audio.AsSpan(start, frame));
        });
    }

    [Fact]
    public void A_wail_whose_level_flutters_by_5_dB_is_a_siren()
    {
        // Real sirens' levels wander as the vehicle moves and its horn turns (UrbanSound8K folds 1–3); the wail's level
        // test allows a 6 dB rms residual. Here ±5 dB at 3 Hz (rms 3.5 dB: over the other signals' 3 dB), in pink noise.
        const int rate = 16_000;
        var random = new NoiseGenerator(11);
        var wail = new float[rate * 6];
        double phase = 0;
        for (var i = 0; i < wail.Length; i++)
        {
            var t = (double)i / rate;
            phase += 2 * Math.PI * (1000 + 400 * Math.Sin(2 * Math.PI * t / 4)) / rate;
            var gain = Math.Pow(10, 5 * Math.Sin(2 * Math.PI * 3 * t) / 20);
            wail[i] = (float)(0.3 * gain * (Math.Sin(phase) + 0.3 * Math.Sin(2 * phase)));
        }
        var mix = EmergencySounds.Mix(wail, EmergencySounds.Background("pink_noise", rate, 6, random), 10);
        var detector = new EmergencyDetector(rate);
        string? kind = null;
        detector.Detected += (k, _) => kind ??= k;
        detector.Push(mix);
        Assert.Equal(EmergencyKind.Siren, kind);
    }

    [Fact]
    public void Hum_music_and_a_doorbell_raise_no_alert()
    {
        foreach (var kind in new[] { "hum", "doorbell", "speech" })
        {
            var detector = new EmergencyDetector(16_000);
            var alerts = 0;
            detector.Detected += (_, _) => alerts++;
            detector.Push(EmergencySounds.Create(kind, 16_000, 10, new NoiseGenerator(7)));
            Assert.True(alerts == 0, $"{kind} raised an alert");
        }
    }
    // A clean hum of 100 Hz + 300 Hz written to 16-bit PCM (what `sox -n hum.wav synth sine 100 sine 300` gives, and
    // the silo's warm-up audio): quantising a periodic signal adds its odd harmonics (500, 900 Hz …), so 300 Hz looks
    // like a horn's fundamental with its third harmonic. It was an alert in every window until the line tracker saw
    // down to 100 Hz (300 Hz is then a harmonic of a lower steady source). With the phase in single precision (the
    // warm-up's audio) the quantisation error is no longer periodic and leaves faint lines that come and go 60–90 dB
    // down; one held 0.9 s at 645 Hz with a partner, until a horn had to be within 40 dB of the strongest line.
    [Theory]
    [InlineData(16_000, false)]
    [InlineData(48_000, false)]
    [InlineData(16_000, true)]
    [InlineData(48_000, true)]
    public void A_clean_100_and_300_Hz_hum_in_16_bit_is_not_a_car_horn(int rate, bool singlePrecisionPhase)
    {
        var hum = new float[rate * 20];
        for (var n = 0; n < hum.Length; n++)
        {
            var v = singlePrecisionPhase
                ? 0.3f * MathF.Sin(2 * MathF.PI * 100 * n / rate) + 0.1f * MathF.Sin(2 * MathF.PI * 300 * n / rate)
                : 0.3 * Math.Sin(2 * Math.PI * 100 * n / rate) + 0.1 * Math.Sin(2 * Math.PI * 300 * n / rate);
            hum[n] = (float)(Math.Round(32767 * v) / 32767);
        }
        var detector = new EmergencyDetector(rate);
        var alerts = new List<string>();
        detector.Detected += (k, _) => alerts.Add(k);
        detector.Push(hum);
        Assert.Empty(alerts);
    }
}
