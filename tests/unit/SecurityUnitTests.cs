using System.Diagnostics;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Security;
using AncOrleans.Grains.Sessions;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>Keys and their hashes, the Auth options, the session's cost limits and the price of a sequence gap.</summary>
public sealed class SecurityUnitTests(ITestOutputHelper output)
{
    [Fact]
    public void A_device_key_is_stored_only_as_a_salted_hash_and_verifies_only_itself()
    {
        var key = Keys.NewDeviceKey();
        Assert.True(Keys.LooksLikeDeviceKey(key));
        var credential = Keys.Hash(key, 1000);
        Assert.DoesNotContain(key, Convert.ToBase64String(credential.Hash));
        Assert.Equal(16, credential.Salt.Length);
        Assert.True(Keys.Matches(key, credential));
        Assert.False(Keys.Matches(Keys.NewDeviceKey(), credential));
        Assert.NotEqual(credential.Hash, Keys.Hash(key, 1000).Hash); // a new salt each time
        Assert.False(Keys.LooksLikeDeviceKey("ancd_" + new string('a', 42)));
        Assert.False(Keys.Matches("x", (string?)null));
        Assert.True(Keys.Matches("same-key", "same-key"));
    }

    [Fact]
    public void Auth_options_name_the_key_at_fault()
    {
        var validator = new AuthOptionsValidator();
        Assert.True(validator.Validate(null, new AuthOptions { Mode = "production", AdminKey = new string('k', 32) }).Succeeded);
        var failures = validator.Validate(null, new AuthOptions { Mode = "production", ReaderKey = "r", AllowedOrigins = ["https://x.example/path"], KeyHashIterations = 0 }).Failures!.ToArray();
        Assert.Contains(failures, f => f.StartsWith("Auth:AdminKey must be set in production", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Auth:ReaderKey must be at least 32", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Auth:AllowedOrigins:0 'https://x.example/path' must be an origin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Auth:KeyHashIterations must be between 1 and", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(8192, 4096, "too costly")]
    [InlineData(512, 4096, "too costly")]
    public void A_configuration_over_the_cost_budget_is_refused(int filterLength, int secondaryTaps, string reason)
    {
        var config = new SessionConfig(FilterLength: filterLength, SecondaryPath: Enumerable.Repeat(0.01f, secondaryTaps).ToArray());
        Assert.Contains(reason, Assert.Throws<ArgumentException>(() => SessionSettings.From(config)).Message);
        Assert.Contains(reason, Assert.Throws<ArgumentException>(() => SessionSettings.Edge(config with { Mode = "edge" })).Message);
        // the defaults and the bench's secondary path (≈ 100 taps) are well inside
        SessionSettings.From(new SessionConfig(SecondaryPath: new float[100]));
    }

    [Fact]
    public void A_clean_mode_frame_beyond_100_ms_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => SessionSettings.From(new SessionConfig(Mode: "clean", FrameSamples: 10_000_000)));
        Assert.Contains("frameSamples 10000000 exceeds 100 ms at 48000 Hz (4800)", error.Message);
        SessionSettings.From(new SessionConfig(Mode: "clean", FrameSamples: 4800));
    }

    [Fact]
    public void A_sequence_gap_of_99_frames_costs_two_frames_of_silence()
    {
        // Counted in samples the canceller runs, not timed (a timed assertion failed now and then on a busy machine).
        var x = Enumerable.Range(0, 480).Select(n => 0.1f * MathF.Sin(n * 0.05f)).ToArray();
        var pcm = FrameCodec.EncodeStereo(x, x, SampleFormat.Float32);
        var pipeline = new SessionPipeline("gap-test", new SessionGrainOptions(), new SessionCheckpoint());
        pipeline.Configure(new SessionConfig());
        uint sequence = 0;
        for (var i = 0; i < 50; i++, sequence += 1) pipeline.Process(new AudioFrame(sequence, sequence * 10_000L, 48_000, SampleFormat.Float32, 480, pcm), null, out _);
        long Run(uint step)
        {
            sequence += step - 1;
            var before = pipeline.SamplesProcessed;
            pipeline.Process(new AudioFrame(sequence, sequence * 10_000L, 48_000, SampleFormat.Float32, 480, pcm), null, out _);
            sequence++;
            return pipeline.SamplesProcessed - before;
        }
        var normal = Run(1);
        var gap = Run(100); // 99 frames lost before it (the longest gap filled: MaxGapFrames)
        output.WriteLine($"a frame: {normal} samples run; a frame after 99 lost: {gap} ({(double)gap / normal:0.0}×)");
        Assert.Equal(480, normal);
        // The gap fills at most D = 20 ms (960 samples, two frames) of silence: 3× a frame, not 100×.
        Assert.Equal(480 + 960, gap);
    }
}
