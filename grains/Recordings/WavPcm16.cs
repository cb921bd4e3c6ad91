using System.Buffers.Binary;

namespace AncOrleans.Grains.Recordings;

/// <summary>A mono 16-bit PCM WAV file (RIFF, <c>fmt </c> chunk of 16 bytes, <c>data</c>): what any player and sox read.</summary>
public static class WavPcm16
{
    public const int HeaderBytes = 44;

    public static byte[] Write(ReadOnlySpan<short> samples, int sampleRate)
    {
        var data = samples.Length * 2;
        var bytes = new byte[HeaderBytes + data];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + data);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);              // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);              // mono
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * 2); // bytes per second
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);              // block align
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], data);
        for (var i = 0; i < samples.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(span[(HeaderBytes + 2 * i)..], samples[i]);
        return bytes;
    }

    /// <summary>Full scale 1.0 → 32767, clipped.</summary>
    public static short ToPcm16(float sample)
    {
        var scaled = sample * 32767f;
        return scaled >= 32767f ? short.MaxValue : scaled <= -32768f ? short.MinValue : float.IsNaN(scaled) ? (short)0 : (short)MathF.Round(scaled);
    }
}
