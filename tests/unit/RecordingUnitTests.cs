using AncOrleans.Abstractions.Recordings;
using AncOrleans.Grains.Recordings;
using AncOrleans.Hosting;

namespace AncOrleans.Tests;

/// <summary>Recording keys, chunking, the WAV format, and the options' start-up checks.</summary>
public sealed class RecordingUnitTests
{
    [Theory]
    [InlineData("dev-1/20261129T101500Z/00003-noise.wav", true)]
    [InlineData("dev-1/20261129T101500Z/00003-residual.wav", true)]
    [InlineData("../etc/20261129T101500Z/00003-noise.wav", false)]
    [InlineData("../20261129T101500Z/00003-noise.wav", false)]
    [InlineData("dev-1/20261129T101500Z/../../x.wav", false)]
    [InlineData("dev-1/20261129T101500Z/00003-other.wav", false)]
    [InlineData("/dev-1/20261129T101500Z/00003-noise.wav", false)]
    public void Only_well_formed_keys_are_accepted(string key, bool ok)
    {
        Assert.Equal(ok, RecordingKeys.TryParse(key, out var info));
        if (ok) Assert.Equal(("dev-1", 3), (info.DeviceId, info.Chunk));
    }

    [Fact]
    public void Frames_fill_chunks_of_the_asked_length_and_the_rest_is_flushed()
    {
        var recorder = new SessionRecorder("d", new DateTime(2026, 11, 29, 10, 15, 0, DateTimeKind.Utc), 1000, 250);
        var noise = Enumerable.Range(0, 100).Select(i => i / 100f).ToArray();
        var residual = new float[100];
        var chunks = Enumerable.Range(0, 6).Select(_ => recorder.Add(noise, residual)).Where(c => c is not null).ToList();
        Assert.Equal(2, chunks.Count);                                     // 600 samples: two of 250, 100 left
        Assert.Equal((0, 250, "20261129T101500Z"), (chunks[0]!.Index, chunks[0]!.Samples, chunks[0]!.Session));
        Assert.Equal(WavPcm16.ToPcm16(0.5f), chunks[0]!.Noise[50]);
        var rest = recorder.Flush();
        Assert.Equal((2, 100), (rest!.Index, rest.Samples));
        Assert.Null(recorder.Flush());
    }

    [Fact]
    public void The_wav_is_mono_pcm16_with_a_44_byte_header()
    {
        var wav = WavPcm16.Write([0, short.MaxValue, short.MinValue], 48_000);
        Assert.Equal(44 + 6, wav.Length);
        Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal(48_000, BitConverter.ToInt32(wav, 24));
        Assert.Equal(1, BitConverter.ToInt16(wav, 22));
        Assert.Equal(short.MaxValue, BitConverter.ToInt16(wav, 46));
        Assert.Equal(short.MaxValue, WavPcm16.ToPcm16(2f));
        Assert.Equal(0, WavPcm16.ToPcm16(float.NaN));
    }

    [Fact]
    public void Bad_recording_and_analytics_settings_stop_the_host_naming_the_key()
    {
        var recording = new RecordingOptionsValidator();
        Assert.Contains("Recording:Store", recording.Validate(null, new RecordingOptions { Store = "ftp" }).FailureMessage);
        Assert.Contains("Recording:S3:Bucket", recording.Validate(null, new RecordingOptions { Store = "s3" }).FailureMessage);
        Assert.Contains("Recording:ChunkSeconds", recording.Validate(null, new RecordingOptions { ChunkSeconds = 0 }).FailureMessage);
        Assert.Contains("Recording:S3:RequestTimeout must be between 00:00:01 and 00:05:00, not 00:00:00.2000000",
            recording.Validate(null, new RecordingOptions { Store = "s3", S3 = new RecordingS3Options { Bucket = "anc-rec", RequestTimeout = TimeSpan.FromMilliseconds(200) } }).FailureMessage);
        Assert.True(recording.Validate(null, new RecordingOptions { Store = "s3", S3 = new RecordingS3Options { Bucket = "anc-rec" } }).Succeeded);
        var analytics = new AnalyticsOptionsValidator();
        Assert.Contains("Analytics:Store", analytics.Validate(null, new AnalyticsOptions { Store = "postgres" }).FailureMessage);
        Assert.Contains("Analytics:SummaryIntervalSeconds", analytics.Validate(null, new AnalyticsOptions { SummaryIntervalSeconds = 0 }).FailureMessage);
        Assert.Equal("dynamodb", new AnalyticsOptions().EffectiveStore(new PersistenceOptions { Provider = "dynamodb" }));
        Assert.Equal("memory", new AnalyticsOptions().EffectiveStore(new PersistenceOptions()));
    }
}
