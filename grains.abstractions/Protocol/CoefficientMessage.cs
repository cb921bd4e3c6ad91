using System.Buffers.Binary;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// Edge mode, cloud → device: a coefficient set for the device's control filter (docs/protocol.md §2b). A 32-byte
/// little-endian header, then the taps as float32:
/// <code>
///  0  u8   protocol version (1)
///  1  u8   type: 4 coefficients
///  2  u8   tap format: 1 float32
///  3  u8   reserved, 0
///  4  u32  set version v (1, 2, …; 0 is "no set", never sent)
///  8  i64  device timestamp, µs, of the newest audio the set was fitted on
/// 16  u32  taps L
/// 20  u32  cross-fade F, samples (0: switch at once)
/// 24  u32  sample rate, Hz
/// 28  u32  CRC-32 (zlib/IEEE) of bytes 0–27 and of the L·4 tap bytes
/// 32  …    W(0) … W(L−1), float32
/// </code>
/// A set that fails any check (the CRC above all) is refused: the device keeps the set it has and reports it.
/// </summary>
public sealed record CoefficientMessage(uint SetVersion, long TimestampUs, int SampleRate, int CrossfadeSamples, float[] Taps)
{
    public const byte Type = 4;
    public const byte Float32 = 1;
    public const int HeaderSize = 32;
    public const int MaxTaps = 8192;

    public byte[] ToBytes()
    {
        var bytes = new byte[HeaderSize + 4 * Taps.Length];
        var span = bytes.AsSpan();
        span[0] = WireFrame.Version;
        span[1] = Type;
        span[2] = Float32;
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], SetVersion);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], TimestampUs);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)Taps.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)CrossfadeSamples);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], (uint)SampleRate);
        for (var k = 0; k < Taps.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(span[(HeaderSize + 4 * k)..], Taps[k]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], Checksum(span));
        return bytes;
    }

    /// <summary>The CRC over bytes 0–27 and the taps (bytes 28–31 are the CRC itself).</summary>
    public static uint Checksum(ReadOnlySpan<byte> message) => Crc32.Append(Crc32.Compute(message[..28]), message[HeaderSize..]);

    /// <summary>Whether a binary message is a coefficient set (by its type byte), before any other check.</summary>
    public static bool IsCoefficients(ReadOnlySpan<byte> message) => message.Length >= 2 && message[0] == WireFrame.Version && message[1] == Type;

    /// <summary>Parses and checks a set; on failure returns false with the reason the device reports.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out CoefficientMessage? set, out string? error)
    {
        set = null;
        if (message.Length < HeaderSize) { error = $"coefficients: truncated header, {message.Length} bytes of {HeaderSize}"; return false; }
        if (message[0] != WireFrame.Version) { error = FrameFaults.UnsupportedVersion(message[0]); return false; }
        if (message[1] != Type) { error = $"coefficients: type {message[1]}, expected {Type}"; return false; }
        if (message[2] != Float32) { error = $"coefficients: tap format {message[2]}, expected 1 (float32)"; return false; }
        var taps = BinaryPrimitives.ReadUInt32LittleEndian(message[16..]);
        if (taps is 0 or > MaxTaps || message.Length != HeaderSize + 4L * taps)
        {
            error = $"coefficients: {taps} taps need {HeaderSize + 4L * taps} bytes, the message has {message.Length}";
            return false;
        }
        var expected = BinaryPrimitives.ReadUInt32LittleEndian(message[28..]);
        var actual = Checksum(message);
        if (expected != actual) { error = $"coefficients: checksum mismatch (CRC-32 0x{actual:X8}, the set says 0x{expected:X8})"; return false; }
        var values = new float[taps];
        for (var k = 0; k < values.Length; k++)
        {
            values[k] = BinaryPrimitives.ReadSingleLittleEndian(message[(HeaderSize + 4 * k)..]);
            if (!float.IsFinite(values[k])) { error = $"coefficients: tap {k} is not finite"; return false; }
        }
        var version = BinaryPrimitives.ReadUInt32LittleEndian(message[4..]);
        if (version == 0) { error = "coefficients: set version 0 is reserved"; return false; }
        set = new CoefficientMessage(version, BinaryPrimitives.ReadInt64LittleEndian(message[8..]),
            (int)BinaryPrimitives.ReadUInt32LittleEndian(message[24..]), (int)BinaryPrimitives.ReadUInt32LittleEndian(message[20..]), values);
        error = null;
        return true;
    }
}
