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
        var failures = validator.Validate(null, new AuthOptions { Mode = "production", ReaderKey = "r", AllowedOrigins = ["https://x.example/path"], KeyHashIterations = 10 }).Failures!.ToArray();
        Assert.Contains(failures, f => f.StartsWith("Auth:AdminKey must be set in production", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Auth:ReaderKey must be at least 32", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Auth:AllowedOrigins:0 'https://x.example/path' must be an origin", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Auth:KeyHashIterations must be between 1000", StringComparison.Ordinal));
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
    public void A_sequence_gap_of_100_costs_about_one_frame()
    {
        var x = Enumerable.Range(0, 480).Select(n => 0.1f * MathF.Sin(n * 0.05f)).ToArray();
        var pcm = FrameCodec.EncodeStereo(x, x, SampleFormat.Float32);
        double Cost(uint step)
        {
            var pipeline = new SessionPipeline("gap-test", new SessionGrainOptions(), new SessionCheckpoint());
            pipeline.Configure(new SessionConfig());
            uint sequence = 0;
            for (var i = 0; i < 50; i++, sequence += 1) pipeline.Process(new AudioFrame(sequence, 0, 48_000, SampleFormat.Float32, 480, pcm), null, out _);
            var best = double.MaxValue;
            for (var i = 0; i < 60; i++)
            {
                sequence += step;
                var frame = new AudioFrame(sequence, sequence * 10_000L, 48_000, SampleFormat.Float32, 480, pcm);
                var started = Stopwatch.GetTimestamp();
                pipeline.Process(frame, null, out _);
                best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }
            return best;
        }
        Cost(1);
        var normal = Cost(1);
        var gap = Cost(101); // 100 frames lost before each one
        output.WriteLine($"a frame: {normal:0} µs; a frame after a gap of 100: {gap:0} µs ({gap / normal:0.0}×)");
        // The gap fills at most D = 20 ms (two 10 ms frames) of silence: about 3× a frame, not 100×.
        Assert.True(gap < 4.5 * normal, $"{gap / normal:0.0}× a frame's work");
    }
}
