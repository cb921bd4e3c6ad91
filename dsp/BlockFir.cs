using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp;

/// <summary>
/// A block of a direct-form FIR's outputs at once (the edge filter's, device and cloud replica):
/// <code>
///   y(i) = Σ_{j=0}^{L−1} h̃(j) · s(i + j),   i = 0 … n−1,   s = the L − 1 samples before the block, then the block
/// </code>
/// with h̃ the taps reversed (oldest lag first), so output i's window is s[i, i + L). Vectorised across outputs:
/// each tap is broadcast once and multiplied into four vectors of consecutive windows (64 outputs with 512-bit
/// vectors, 32 with 256-bit), so a step is one broadcast and four loads for four fused multiply-adds, with no
/// horizontal sum per output — a per-output dot product pays one (and a call) for every sample. Each output is the
/// same sequence of fused multiply-adds in tap order whatever its position in the block, so the numbers do not depend
/// on the block's length or alignment; the tail beyond the last full vector is summed in the same order, by scalar
/// fused multiply-adds (<see cref="MathF.FusedMultiplyAdd"/>). Allocates nothing.
/// </summary>
public static class BlockFir
{
    public static void Convolve(ReadOnlySpan<float> line, ReadOnlySpan<float> reversedTaps, Span<float> output)
    {
        var taps = reversedTaps.Length;
        var n = output.Length;
        if (taps == 0 || line.Length < taps - 1 + n) throw new ArgumentException($"{n} outputs of {taps} taps need {taps - 1 + n} samples of line, not {line.Length}.");
        var i = 0;
        if (Vector512.IsHardwareAccelerated) i = Wide512(line, reversedTaps, output);
        else if (Vector256.IsHardwareAccelerated) i = Wide256(line, reversedTaps, output);
        for (; i < n; i++)
        {
            var sum = 0f;
            for (var j = 0; j < taps; j++) sum = MathF.FusedMultiplyAdd(reversedTaps[j], line[i + j], sum);
            output[i] = sum;
        }
    }

    private static int Wide512(ReadOnlySpan<float> line, ReadOnlySpan<float> h, Span<float> output)
    {
        const int width = 16;
        ref var s = ref MemoryMarshal.GetReference(line);
        ref var y = ref MemoryMarshal.GetReference(output);
        var i = 0;
        for (; i + 4 * width <= output.Length; i += 4 * width)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var j = 0; j < h.Length; j++)
            {
                var w = Vector512.Create(h[j]);
                var at = (nuint)(i + j);
                a0 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref s, at), a0);
                a1 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref s, at + width), a1);
                a2 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref s, at + 2 * width), a2);
                a3 = Vector512.FusedMultiplyAdd(w, Vector512.LoadUnsafe(ref s, at + 3 * width), a3);
            }
            a0.StoreUnsafe(ref y, (nuint)i);
            a1.StoreUnsafe(ref y, (nuint)(i + width));
            a2.StoreUnsafe(ref y, (nuint)(i + 2 * width));
            a3.StoreUnsafe(ref y, (nuint)(i + 3 * width));
        }
        for (; i + width <= output.Length; i += width)
        {
            Vector512<float> a = default;
            for (var j = 0; j < h.Length; j++) a = Vector512.FusedMultiplyAdd(Vector512.Create(h[j]), Vector512.LoadUnsafe(ref s, (nuint)(i + j)), a);
            a.StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }

    private static int Wide256(ReadOnlySpan<float> line, ReadOnlySpan<float> h, Span<float> output)
    {
        const int width = 8;
        ref var s = ref MemoryMarshal.GetReference(line);
        ref var y = ref MemoryMarshal.GetReference(output);
        var i = 0;
        for (; i + 4 * width <= output.Length; i += 4 * width)
        {
            Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var j = 0; j < h.Length; j++)
            {
                var w = Vector256.Create(h[j]);
                var at = (nuint)(i + j);
                a0 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref s, at), a0);
                a1 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref s, at + width), a1);
                a2 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref s, at + 2 * width), a2);
                a3 = Vector256.FusedMultiplyAdd(w, Vector256.LoadUnsafe(ref s, at + 3 * width), a3);
            }
            a0.StoreUnsafe(ref y, (nuint)i);
            a1.StoreUnsafe(ref y, (nuint)(i + width));
            a2.StoreUnsafe(ref y, (nuint)(i + 2 * width));
            a3.StoreUnsafe(ref y, (nuint)(i + 3 * width));
        }
        for (; i + width <= output.Length; i += width)
        {
            Vector256<float> a = default;
            for (var j = 0; j < h.Length; j++) a = Vector256.FusedMultiplyAdd(Vector256.Create(h[j]), Vector256.LoadUnsafe(ref s, (nuint)(i + j)), a);
            a.StoreUnsafe(ref y, (nuint)i);
        }
        return i;
    }
}
