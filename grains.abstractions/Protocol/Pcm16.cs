using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// 16-bit PCM (little-endian) to and from float samples, the conversions every frame pays (a frame's two mics in, the
/// anti-noise out, the reference mic into each feature batch):
/// <code>
///   decode: x = s / 32768            encode: s = round_half_even(clamp(x, −1, 1) · 32767), NaN → 0
/// </code>
/// Eight samples per step with 256-bit vectors where the hardware has them, the rest one by one; both paths give the
/// same numbers bit for bit (the division by 2¹⁵ is exact as a multiplication, the vector rounding is the scalar's
/// half-to-even, and NaN is mapped to 0 before the clamp as the scalar conversion maps it). Allocates nothing.
/// </summary>
public static class Pcm16
{
    private const float Scale = 32767f, Inverse = 1f / 32768f;

    /// <summary>Encodes <paramref name="samples"/> into 2 bytes each of <paramref name="destination"/>.</summary>
    public static void Encode(ReadOnlySpan<float> samples, Span<byte> destination)
    {
        if (destination.Length < 2 * samples.Length) throw new ArgumentException($"{samples.Length} samples need {2 * samples.Length} bytes.");
        var i = 0;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            var output = MemoryMarshal.Cast<byte, short>(destination);
            var low = Vector256.Create(-1f);
            var high = Vector256.Create(1f);
            var scale = Vector256.Create(Scale);
            for (; i + 16 <= samples.Length; i += 16)
            {
                var a = Vector256.Create(samples.Slice(i, 8));
                var b = Vector256.Create(samples.Slice(i + 8, 8));
                var first = Vector256.ConvertToInt32Native(Vector256.Round(Clamp(a, low, high) * scale));
                var second = Vector256.ConvertToInt32Native(Vector256.Round(Clamp(b, low, high) * scale));
                Vector256.Narrow(first, second).CopyTo(output.Slice(i, 16));
            }
        }
        for (; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(destination[(2 * i)..], ToInt16(samples[i]));
    }

    /// <summary>The scalar conversion: clipped to [−1, 1], rounded half to even, NaN as 0.</summary>
    public static short ToInt16(float sample) => (short)MathF.Round(Math.Clamp(sample, -1f, 1f) * Scale);

    // NaN → 0 first (ConvertToInt32Native would make it int.MinValue), then the clamp with the platform's min/max.
    private static Vector256<float> Clamp(Vector256<float> x, Vector256<float> low, Vector256<float> high) =>
        Vector256.MinNative(Vector256.MaxNative(x & Vector256.Equals(x, x), low), high);

    /// <summary>Decodes mono PCM into <paramref name="destination"/> (one float per 2 bytes).</summary>
    public static void Decode(ReadOnlySpan<byte> pcm, Span<float> destination)
    {
        var count = pcm.Length / 2;
        if (destination.Length < count) throw new ArgumentException($"{count} samples do not fit {destination.Length}.");
        var i = 0;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            var input = MemoryMarshal.Cast<byte, short>(pcm);
            var inverse = Vector256.Create(Inverse);
            for (; i + 16 <= count; i += 16)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(input.Slice(i, 16)));
                (Vector256.ConvertToSingle(lower) * inverse).CopyTo(destination.Slice(i, 8));
                (Vector256.ConvertToSingle(upper) * inverse).CopyTo(destination.Slice(i + 8, 8));
            }
        }
        for (; i < count; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(2 * i)..]) * Inverse;
    }

    /// <summary>Decodes <paramref name="count"/> interleaved two-channel samples into their channels.</summary>
    public static void DecodeStereo(ReadOnlySpan<byte> pcm, int count, Span<float> first, Span<float> second)
    {
        if (pcm.Length < 4 * count || first.Length < count || second.Length < count) throw new ArgumentException($"{count} stereo samples need {4 * count} bytes and {count} floats per channel.");
        var i = 0;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            var input = MemoryMarshal.Cast<byte, short>(pcm);
            var inverse = Vector256.Create(Inverse);
            // After widening, each half holds four (first, second) pairs: gather the firsts low, the seconds high.
            var split = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
            for (; i + 8 <= count; i += 8)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(input.Slice(2 * i, 16)));
                var a = Vector256.Shuffle(Vector256.ConvertToSingle(lower) * inverse, split);
                var b = Vector256.Shuffle(Vector256.ConvertToSingle(upper) * inverse, split);
                Vector256.Create(a.GetLower(), b.GetLower()).CopyTo(first.Slice(i, 8));
                Vector256.Create(a.GetUpper(), b.GetUpper()).CopyTo(second.Slice(i, 8));
            }
        }
        for (; i < count; i++)
        {
            first[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(4 * i)..]) * Inverse;
            second[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(4 * i + 2)..]) * Inverse;
        }
    }
}
