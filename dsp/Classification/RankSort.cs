using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Sorts a short run of floats (a spectral-contrast sub-band, ≤ a few hundred values) by counting ranks — a
/// counting sort by comparisons (Seward's "counting sort", 1954; Knuth, TAOCP vol. 3, §5.2, Algorithm C) — with no
/// data-dependent branch, eight ranks at a time in 256-bit SIMD:
/// <code>
///   rank(i) = #{ j &lt; i : v_j ≤ v_i } + #{ j &gt; i : v_j &lt; v_i },     sorted[rank(i)] = v_i
/// </code>
/// The ranks are those of a stable sort, hence a permutation of 0 … n−1, and <c>sorted</c> is ascending: equal floats
/// are the same bits, so it is what any correct sort gives, bit for bit (<see cref="Span{T}"/>.Sort included).
/// O(n²) compares, but n²/8 vector compares with no misprediction: on the features' octave bands (6–122 values) it
/// replaced a Hoare selection plus two small sorts whose data-dependent branches went either way at random.
/// Guards: no NaN (a NaN ranks nowhere and leaves its slot unwritten; ranks stay within 0 … n−1 whatever the input, so
/// nothing is written out of bounds); without 256-bit SIMD, <see cref="IsAccelerated"/> is false and callers keep
/// their scalar path. Allocation-free.
/// </summary>
internal static class RankSort
{
    private const int Lanes = 8;

    /// <summary>True when <see cref="Sort"/> runs in SIMD here.</summary>
    public static bool IsAccelerated => Vector256.IsHardwareAccelerated;

    /// <summary>Scratch length <see cref="Sort"/> needs for <paramref name="length"/> values (a whole number of vectors).</summary>
    public static int PaddedLength(int length) => (length + Lanes - 1) / Lanes * Lanes;

    /// <summary>
    /// <paramref name="sorted"/>[..n] = <paramref name="values"/> ascending (n = values.Length); <paramref name="scratch"/>
    /// holds at least <see cref="PaddedLength"/>(n) floats. Requires <see cref="IsAccelerated"/>.
    /// </summary>
    public static void Sort(ReadOnlySpan<float> values, Span<float> scratch, Span<float> sorted)
    {
        var n = values.Length;
        if (!IsAccelerated) throw new PlatformNotSupportedException("the rank sort needs 256-bit SIMD.");
        if (scratch.Length < PaddedLength(n) || sorted.Length < n)
            throw new ArgumentException($"{n} values need {PaddedLength(n)} floats of scratch and {n} of output, got {scratch.Length} and {sorted.Length}.");
        values.CopyTo(scratch);
        scratch[n..PaddedLength(n)].Clear(); // lanes past n: ranked but never written
        ref var v = ref MemoryMarshal.GetReference(values);
        ref var padded = ref MemoryMarshal.GetReference(scratch);
        ref var output = ref MemoryMarshal.GetReference(sorted);
        var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        Span<int> ranks = stackalloc int[Lanes];
        for (var b = 0; b < n; b += Lanes)
        {
            var vi = Vector256.LoadUnsafe(ref padded, (nuint)b);  // v_i, i = b … b + 7
            var count = Vector256<int>.Zero;                     // compares are −1 where they hold
            for (var j = 0; j < b; j++)                          // every j < i
                count -= Vector256.LessThanOrEqual(Vector256.Create(Unsafe.Add(ref v, j)), vi).AsInt32();
            var end = Math.Min(b + Lanes, n);
            for (var j = b; j < end; j++)                        // inside the block: ≤ where j < i, < where j ≥ i
            {
                var vj = Vector256.Create(Unsafe.Add(ref v, j));
                var before = Vector256.GreaterThan(lane, Vector256.Create(j - b));
                count -= Vector256.ConditionalSelect(before, Vector256.LessThanOrEqual(vj, vi).AsInt32(), Vector256.LessThan(vj, vi).AsInt32());
            }
            for (var j = end; j < n; j++)                        // every j > i
                count -= Vector256.LessThan(Vector256.Create(Unsafe.Add(ref v, j)), vi).AsInt32();
            count.CopyTo(ranks);
            for (var l = 0; l < end - b; l++) Unsafe.Add(ref output, ranks[l]) = Unsafe.Add(ref v, b + l);
        }
    }
}
