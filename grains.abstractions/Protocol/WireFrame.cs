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
/// Edge mode's audio (type 3, <see cref="EdgeAudio"/>) has 12 more header bytes, then the PCM at 36:
/// <code>
/// 24  u32  applied version v: the coefficient set in force at the frame's first sample (0: none yet)
/// 28  u32  fading-from version u: the set being cross-faded out (= v when no fade is in progress)
/// 32  u32  fade elapsed m: samples of v's cross-fade already played before the first sample
/// 36  …    PCM
/// </code>
/// Type 4 is a coefficient set (cloud → device), <see cref="CoefficientMessage"/>.
/// </summary>
public readonly record struct WireFrame(byte Type, SampleFormat Format, byte Channels, uint Sequence, long TimestampUs, int SampleCount, int SampleRate, ReadOnlyMemory<byte> Pcm,
    bool AntiNoiseMissed = false, uint AppliedVersion = 0, uint FadingFrom = 0, uint FadeElapsed = 0)
{
    /// <summary>Edge mode's audio frame: type 1's header, the version tag (12 bytes), then PCM.</summary>
    public const byte EdgeAudio = 3;
    public const int EdgeHeaderSize = 36;

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
        if (span.Length < HeaderSize) { error = FrameFaults.TruncatedHeader(span.Length); return false; }
        if (span[0] != Version) { error = FrameFaults.UnsupportedVersion(span[0]); return false; }
        var type = (byte)(span[1] & ~MissedFlag);
        var missed = (span[1] & MissedFlag) != 0;
        if (type is not (Audio or AntiNoise or EdgeAudio) || missed && type != Audio) { error = FrameFaults.UnknownType(span[1]); return false; }
        var header = type == EdgeAudio ? EdgeHeaderSize : HeaderSize;
        if (span.Length < header) { error = FrameFaults.TruncatedHeader(span.Length, header); return false; }
        if (!((SampleFormat)span[2]).IsKnown()) { error = FrameFaults.UnknownFormat(span[2].ToString(System.Globalization.CultureInfo.InvariantCulture)); return false; }
        var format = (SampleFormat)span[2];
        var channels = span[3];
        var count = BinaryPrimitives.ReadUInt32LittleEndian(span[16..]);
        var expected = (long)count * channels * format.BytesPerSample();
        if (expected != span.Length - header)
        {
            error = FrameFaults.SampleCountMismatch(count, channels, format, expected, span.Length - header);
            return false;
        }
        frame = new WireFrame(type, format, channels, BinaryPrimitives.ReadUInt32LittleEndian(span[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(span[8..]), (int)count, (int)BinaryPrimitives.ReadUInt32LittleEndian(span[20..]), message[header..], missed);
        if (type == EdgeAudio)
            frame = frame with
            {
                AppliedVersion = BinaryPrimitives.ReadUInt32LittleEndian(span[24..]),
                FadingFrom = BinaryPrimitives.ReadUInt32LittleEndian(span[28..]),
                FadeElapsed = BinaryPrimitives.ReadUInt32LittleEndian(span[32..]),
            };
        error = null;
        return true;
    }

    /// <summary>
    /// Parses an audio frame from the device into the grain-call form. The PCM is copied once, out of the
    /// transport's receive buffer into the frame's own array, and travels on from there without another copy.
    /// A sample rate of 0 means the session's rate; the session resolves it. <paramref name="pcmArray"/>, if given, supplies
    /// the frame's array (of exactly the length asked for) instead of a new one.
    /// </summary>
    public static bool TryParseAudio(ReadOnlyMemory<byte> message, out AudioFrame? frame, out string? error, out long sequence, Func<int, byte[]>? pcmArray = null)
    {
        frame = null;
        sequence = -1;
        if (!TryParse(message, out var wire, out error)) return false;
        sequence = wire.Sequence;
        if (wire.Type is not (Audio or EdgeAudio) || wire.Channels != 2) { error = FrameFaults.NotAudio(wire.Type, wire.Channels); return false; }
        byte[] pcm;
        if (pcmArray is null) pcm = wire.Pcm.ToArray();
        else
        {
            pcm = pcmArray(wire.Pcm.Length);
            wire.Pcm.Span.CopyTo(pcm);
        }
        frame = new AudioFrame(wire.Sequence, wire.TimestampUs, wire.SampleRate, wire.Format, wire.SampleCount, pcm, wire.AntiNoiseMissed);
        if (wire.Type == EdgeAudio) frame = frame with { Edge = new EdgeVersionTag(wire.AppliedVersion, wire.FadingFrom, wire.FadeElapsed) };
        return true;
    }

    /// <summary>
    /// Writes an anti-noise (or cleaned) frame as the device receives it: header and mono PCM in one array, so the
    /// reply is encoded once, by the session, and the gateway sends those bytes as they are. The array comes from
    /// <see cref="ReplyBuffers"/> (every byte is written here), and whoever sends it last may give it back there.
    /// </summary>
    public static byte[] WriteAntiNoise(long sequence, long playoutUs, SampleFormat format, ReadOnlySpan<float> samples)
    {
        var message = ReplyBuffers.Shared.Take(HeaderSize + samples.Length * format.BytesPerSample());
        new WireFrame(AntiNoise, format, 1, (uint)sequence, playoutUs, samples.Length, 0, default).WriteHeader(message);
        FrameCodec.EncodeMono(samples, format, message.AsSpan(HeaderSize));
        return message;
    }

    /// <summary>Whether <paramref name="message"/> is an anti-noise frame (type 2) by its header.</summary>
    public static bool IsAntiNoise(ReadOnlySpan<byte> message) => message.Length >= HeaderSize && message[0] == Version && message[1] == AntiNoise;

    /// <summary>Header + PCM as one message.</summary>
    public byte[] ToBytes()
    {
        var header = Type == EdgeAudio ? EdgeHeaderSize : HeaderSize;
        var bytes = new byte[header + Pcm.Length];
        WriteHeader(bytes);
        if (Type == EdgeAudio)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), AppliedVersion);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(28), FadingFrom);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), FadeElapsed);
        }
        Pcm.Span.CopyTo(bytes.AsSpan(header));
        return bytes;
    }

    private void WriteHeader(Span<byte> span)
    {
        span[0] = Version;
        span[1] = AntiNoiseMissed ? (byte)(Type | MissedFlag) : Type;
        span[2] = (byte)Format;
        span[3] = Channels;
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], TimestampUs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)SampleCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)SampleRate);
    }
}
