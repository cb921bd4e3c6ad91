using System.Buffers.Binary;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// The binary frame of the device protocol (docs/protocol.md), the same on WebSocket and MQTT:
/// a 24-byte little-endian header, then PCM.
/// <code>
///  0  u8   version (1)
///  1  u8   type: 1 audio (device → cloud), 2 anti-noise (cloud → device); on audio, bit 7 set (0x81) says
///          the anti-noise due during this frame's samples was not played (its reply came late or never)
///  2  u8   sample format: 0 int16, 1 float32
///  3  u8   channels: 2 for audio (reference, error — interleaved), 1 for anti-noise
///  4  u32  sequence number
///  8  i64  timestamp, µs: device clock at the first sample (audio); when to play it (anti-noise)
/// 16  u32  samples per channel
/// 20  u32  sample rate, Hz (0: the session's rate)
/// 24  …    PCM, little-endian
/// </code>
/// </summary>
public readonly record struct WireFrame(byte Type, SampleFormat Format, byte Channels, uint Sequence, long TimestampUs, int SampleCount, int SampleRate, ReadOnlyMemory<byte> Pcm,
    bool AntiNoiseMissed = false)
{
    /// <summary>Bit 7 of the type byte on audio frames: <see cref="AntiNoiseMissed"/>.</summary>
    public const byte MissedFlag = 0x80;

    public const byte Version = 1;
    public const byte Audio = 1;
    public const byte AntiNoise = 2;
    public const int HeaderSize = 24;

    /// <summary>Parses a frame; on failure returns false with a reason a device can act on.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> message, out WireFrame frame, out string? error)
    {
        frame = default;
        var span = message.Span;
        if (span.Length < HeaderSize) { error = $"truncated header: {span.Length} bytes, the header has {HeaderSize}"; return false; }
        if (span[0] != Version) { error = $"unsupported version {span[0]}: this server speaks version {Version}"; return false; }
        var type = (byte)(span[1] & ~MissedFlag);
        var missed = (span[1] & MissedFlag) != 0;
        if (type is not (Audio or AntiNoise) || missed && type != Audio) { error = $"unknown frame type {span[1]}"; return false; }
        if (span[2] > 1) { error = $"unknown sample format {span[2]}: 0 is int16, 1 is float32"; return false; }
        var format = (SampleFormat)span[2];
        var channels = span[3];
        var count = BinaryPrimitives.ReadUInt32LittleEndian(span[16..]);
        var bytesPerSample = format == SampleFormat.Int16 ? 2 : 4;
        var expected = (long)count * channels * bytesPerSample;
        if (expected != span.Length - HeaderSize)
        {
            error = $"sample-count mismatch: header says {count} samples × {channels} channels of {format} ({expected} bytes), the payload has {span.Length - HeaderSize}";
            return false;
        }
        frame = new WireFrame(type, format, channels, BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[8..]), (int)count, (int)BinaryPrimitives.ReadUInt32LittleEndian(span[20..]), message[HeaderSize..], missed);
        error = null;
        return true;
    }

    /// <summary>Header + PCM as one message.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderSize + Pcm.Length];
        var span = bytes.AsSpan();
        span[0] = Version;
        span[1] = AntiNoiseMissed ? (byte)(Type | MissedFlag) : Type;
        span[2] = (byte)Format;
        span[3] = Channels;
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], TimestampUs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)SampleCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)SampleRate);
        Pcm.Span.CopyTo(span[HeaderSize..]);
        return bytes;
    }

    /// <summary>The grain-call form of an audio frame.</summary>
    public AudioFrame ToAudioFrame(int sessionRate) =>
        new(Sequence, TimestampUs, SampleRate == 0 ? sessionRate : SampleRate, Format, SampleCount, Pcm.ToArray(), AntiNoiseMissed);

    /// <summary>The wire form of a grain's reply.</summary>
    public static WireFrame FromAntiNoise(AntiNoiseFrame reply) =>
        new(AntiNoise, reply.Format, 1, (uint)reply.Sequence, reply.PlayoutTimestampUs,
            reply.Pcm.Length / (reply.Format == SampleFormat.Int16 ? 2 : 4), 0, reply.Pcm);
}
