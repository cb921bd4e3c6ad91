using System.Text.Json;
using System.Text.Json.Serialization;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// A JSON text message on the device protocol. Device → cloud: <c>start</c> (configures the session) and
/// <c>audio</c> (base64 PCM, for clients that cannot send binary), <c>record</c> (recording on or off), <c>alertAck</c>,
/// <c>ping</c>. Cloud → device: <c>started</c>, <c>stats</c>, <c>classification</c>, <c>alert</c>, <c>recording</c>,
/// <c>error</c>. Unused fields are omitted.
/// </summary>
public sealed record ControlMessage
{
    [JsonPropertyName("type")] public string Type { get; init; } = "";

    // start
    [JsonPropertyName("sampleRate")] public int? SampleRate { get; init; }
    [JsonPropertyName("frameSamples")] public int? FrameSamples { get; init; }
    [JsonPropertyName("format")] public string? Format { get; init; }
    [JsonPropertyName("channels")] public string[]? Channels { get; init; }
    [JsonPropertyName("mode")] public string? Mode { get; init; }
    [JsonPropertyName("algorithm")] public string? Algorithm { get; init; }
    [JsonPropertyName("delayMs")] public double? DelayMs { get; init; }
    [JsonPropertyName("filterLength")] public int? FilterLength { get; init; }
    [JsonPropertyName("secondaryPath")] public float[]? SecondaryPath { get; init; }
    [JsonPropertyName("autoProfile")] public bool? AutoProfile { get; init; }
    [JsonPropertyName("updateMs")] public double? UpdateMs { get; init; }
    [JsonPropertyName("dutyCycle")] public double? DutyCycle { get; init; }

    // audio (JSON form)
    [JsonPropertyName("seq")] public long? Sequence { get; init; }
    [JsonPropertyName("timestampUs")] public long? TimestampUs { get; init; }
    [JsonPropertyName("samples")] public int? Samples { get; init; }
    [JsonPropertyName("pcm")] public string? Pcm { get; init; }
    [JsonPropertyName("missed")] public bool? Missed { get; init; }

    // record (device → cloud) and recording (cloud → device): recording of d̂ and the residual on or off
    [JsonPropertyName("enabled")] public bool? Enabled { get; init; }

    // events
    [JsonPropertyName("reason")] public string? Reason { get; init; }
    [JsonPropertyName("stats")] public SessionStats? Stats { get; init; }
    [JsonPropertyName("framesDropped")] public long? FramesDropped { get; init; }
    [JsonPropertyName("coefficientsRefused")] public long? CoefficientsRefused { get; init; }
    [JsonPropertyName("frames")] public FrameCounts? Frames { get; init; }
    [JsonPropertyName("alert")] public EmergencyAlert? Alert { get; init; }
    [JsonPropertyName("classification")] public NoiseClassification? Classification { get; init; }

    // alertAck (device → cloud): the alert event's alert.alertId
    [JsonPropertyName("alertId")] public string? AlertId { get; init; }

    // coefficientsRefused (device → cloud, edge mode): the set's version when known
    [JsonPropertyName("version")] public uint? Version { get; init; }

    private static readonly JsonSerializerOptions Options = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>The message as UTF-8 JSON text, unused fields omitted: what every sender puts on the wire.</summary>
    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    private static int _prepared;

    /// <summary>
    /// Builds the serializer's metadata for every message a device receives by round-tripping one that carries them
    /// all (stats, frame counts, an alert, a classification), once per process. Otherwise the first <c>stats</c> message,
    /// a second into a stream, builds it on the receiving thread: ≈ 20 ms in which a real-time client's replies and
    /// sends wait (measured with <c>anc sim</c>: every fresh simulator had late frames at 0.75–0.83 s;
    /// docs/measurements/benchmarks.md, "Twentieth session"). Clients call it before they stream.
    /// </summary>
    public static void Prepare()
    {
        if (Interlocked.Exchange(ref _prepared, 1) == 1) return;
        var all = new ControlMessage
        {
            Type = "stats",
            Stats = new SessionStats("prepare", 1, 1, 0, 1, 1, ConvergenceState.Converging, "hybrid", "antinoise", 1, 0, 0, null, "hum", "tonal"),
            Frames = new FrameCounts(1, 1, 0, 0, 0, 0, 0, 0),
            Alert = new EmergencyAlert("prepare", "siren", DateTime.UnixEpoch, 1, true, "a"),
            Classification = new NoiseClassification("prepare", "hum", 1, "tonal", false, 1, "embedded"),
            Channels = ["reference"], SecondaryPath = [1f],
        };
        TryParse(all.ToUtf8(), out _, out _);
    }

    /// <summary>Parses a text message; on failure returns false with a reason a device can act on.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out ControlMessage? message, out string? error)
    {
        try
        {
            message = JsonSerializer.Deserialize<ControlMessage>(utf8, Options);
            error = message is null ? "bad JSON: null message" : null;
            return message is not null;
        }
        catch (JsonException e)
        {
            message = null;
            error = $"bad JSON: {e.Message}";
            return false;
        }
    }
}
