namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// Every reason an audio frame is refused, worded once. The gateway's parser (<see cref="WireFrame"/>, the JSON
/// audio form) and the session's decoder (<see cref="FrameCodec.TryDecode"/>) report these and nothing else, so
/// a device sees one message per fault whichever way it sent the frame.
/// </summary>
public static class FrameFaults
{
    public static string TruncatedHeader(int length) => TruncatedHeader(length, WireFrame.HeaderSize);

    public static string TruncatedHeader(int length, int header) => $"truncated header: {length} bytes, the header has {header}";

    public static string UnsupportedVersion(int version) => $"unsupported version {version}: this server speaks version {WireFrame.Version}";

    public static string UnknownType(int type) => $"unknown frame type {type}";

    public static string UnknownFormat(string format) => $"unknown sample format {format}: 0 (int16) or 1 (float32)";

    public static string NotAudio(int type, int channels) =>
        $"expected an audio frame with 2 channels (type {WireFrame.Audio}, or {WireFrame.EdgeAudio} in edge mode), got type {type} with {channels}";

    public const string EdgeTagMissing = "edge mode needs audio frames of type 3 (tagged with the coefficient version applied)";

    public static string SampleCountMismatch(long samples, int channels, SampleFormat format, long expectedBytes, long actualBytes) =>
        $"sample-count mismatch: {samples} samples × {channels} channels of {format} need {expectedBytes} bytes, the payload has {actualBytes}";

    public const string Empty = "empty frame: no samples";

    public const string BadBase64 = "bad base64 in pcm";

    public const string NotConfigured = "session is not configured: send start (or PUT /v1/sessions/{id}/config) first";

    public static string WrongRate(int frameRate, int sessionRate) => $"wrong rate: frame is {frameRate} Hz, the session runs at {sessionRate} Hz";

    public static string Oversized(int samples, int maxSamples) =>
        $"oversized frame: {samples} samples, at most {maxSamples} (the loop delay D, and Session:MaxFrameSamples)";

    public static string NonFinite(float value, int index, int channel) => $"non-finite sample ({value}) at index {index}, channel {channel}";

    public static string OutOfRange(float value, int index, float maxAbs) => $"sample {value} at index {index} is out of range (|x| ≤ {maxAbs})";
}
