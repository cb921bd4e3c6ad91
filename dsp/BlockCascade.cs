using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp;

/// <summary>
/// A cascade of two biquads (<see cref="Biquad"/>, transposed direct form II) run eight samples at a time in its
/// block state-space form (Burrus, "Block realization of digital filters", IEEE Trans. Audio Electroacoust. 20(4),
/// 1972; Mitra, "Digital Signal Processing", §8.11). With the four section states s = (s1, s2, t1, t2) the cascade is
/// <code>
///   s(n+1) = A s(n) + b x(n),   y(n) = c s(n) + d x(n)
/// </code>
/// and a block of N = 8 samples x = (x(n) … x(n+7)) gives
/// <code>
///   y_blk = C s(n) + D x        C (8×4): rows c A^i,   D (8×8) lower triangular: the impulse response h(i − k)
///   s(n+8) = A⁸ s(n) + B x      B (4×8): columns A^(7−k) b
/// </code>
/// The recursion's chain of dependent multiply-adds (≈ 8 cycles a sample: a cascade is latency-bound) becomes
/// independent column products of four lanes; only s carries from block to block (four multiply-adds deep). The matrices
/// are found by running the recursion on the unit states and unit inputs (in double), then held as floats; a chunk's
/// last &lt; 8 samples run the recursion itself on the same state. Round-off differs from the section-by-section
/// recursion (≈ 1e-7 of the signal); the cascade is stable and so is the block form, so it does not accumulate.
/// <see cref="ProcessPair"/> runs two cascades on the same input in one loop with the same arithmetic per cascade as
/// <see cref="Process"/> (bit for bit). Allocates nothing after construction.
/// </summary>
public sealed class BlockCascade
{
    private const int N = 8;
    // Columns of four floats: C's top half (outputs 0–3) and bottom half (4–7) by state, D's by input, A⁸ and B.
    private const int CTop = 0, DTop = 16, CBottom = 32, DBottom = 48, ANext = 80, BNext = 96, Size = 128;
    private readonly float[] _m = SessionArray.Of<float>(Size);
    private readonly float _b0, _b1, _b2, _a1, _a2, _c0, _c1, _c2, _d1, _d2; // the sections, for the last < 8 samples
    private Vector128<float> _s; // (s1, s2, t1, t2)

    public BlockCascade(Biquad first, Biquad second)
    {
        var (b0, b1, b2, a1, a2) = first.Coefficients;
        var (c0, c1, c2, d1, d2) = second.Coefficients;
        (_b0, _b1, _b2, _a1, _a2, _c0, _c1, _c2, _d1, _d2) = ((float)b0, (float)b1, (float)b2, (float)a1, (float)a2, (float)c0, (float)c1, (float)c2, (float)d1, (float)d2);
        var (s1, s2) = first.State;
        var (t1, t2) = second.State;
        _s = Vector128.Create((float)s1, (float)s2, (float)t1, (float)t2);

        // One sample of the cascade in double, without rounding between the sections: the linear map the blocks apply.
        double Step(Span<double> s, double x)
        {
            var y = b0 * x + s[0];
            (s[0], s[1]) = (b1 * x - a1 * y + s[1], b2 * x - a2 * y);
            var v = c0 * y + s[2];
            (s[2], s[3]) = (c1 * y - d1 * v + s[3], c2 * y - d2 * v);
            return v;
        }
        Span<double> state = stackalloc double[4];
        for (var j = 0; j < 4; j++) // unit state j, no input: C's and A⁸'s column j
        {
            state.Clear();
            state[j] = 1;
            for (var i = 0; i < N; i++) _m[(i < 4 ? CTop : CBottom) + 4 * j + (i & 3)] = (float)Step(state, 0);
            for (var r = 0; r < 4; r++) _m[ANext + 4 * j + r] = (float)state[r];
        }
        for (var k = 0; k < N; k++) // unit input at k, zero state: D's and B's column k
        {
            state.Clear();
            for (var i = 0; i < N; i++)
            {
                var y = (float)Step(state, i == k ? 1 : 0);
                if (i < 4) { if (k < 4) _m[DTop + 4 * k + i] = y; }
                else _m[DBottom + 4 * k + (i - 4)] = y;
            }
            for (var r = 0; r < 4; r++) _m[BNext + 4 * k + r] = (float)state[r];
        }
    }

    /// <summary>The 4th-order Butterworth low-pass (<see cref="Biquad.Butterworth4"/>) at <paramref name="cutoff"/>.</summary>
    public static BlockCascade ButterworthLowPass(double cutoff, double sampleRate) =>
        new(Biquad.LowPass(cutoff, sampleRate, Biquad.Butterworth4[0]), Biquad.LowPass(cutoff, sampleRate, Biquad.Butterworth4[1]));

    /// <summary>Filters <paramref name="input"/> into <paramref name="output"/> (which may be the input); the state carries over.</summary>
    public void Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length < input.Length) throw new ArgumentException($"output holds {output.Length} samples, input {input.Length}.");
        ref var x = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input);
        ref var y = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        ref var m = ref _m[0];
        var s = _s;
        var i = 0;
        for (; i + N <= input.Length; i += N) s = Block(ref m, s, ref Unsafe.Add(ref x, i), ref Unsafe.Add(ref y, i));
        _s = s;
        Tail(input[i..], output[i..]);
    }

    /// <summary>
    /// <paramref name="outputA"/> = <paramref name="a"/>.<see cref="Process"/>(input) and <paramref name="outputB"/> =
    /// <paramref name="b"/>.<see cref="Process"/>(input), bit for bit, in one loop (the two chains interleave).
    /// </summary>
    public static void ProcessPair(BlockCascade a, BlockCascade b, ReadOnlySpan<float> input, Span<float> outputA, Span<float> outputB)
    {
        if (outputA.Length < input.Length || outputB.Length < input.Length)
            throw new ArgumentException($"outputs hold {outputA.Length} and {outputB.Length} samples, input {input.Length}.");
        ref var x = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input);
        ref var ya = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(outputA);
        ref var yb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(outputB);
        ref var ma = ref a._m[0];
        ref var mb = ref b._m[0];
        var (sa, sb) = (a._s, b._s);
        var i = 0;
        for (; i + N <= input.Length; i += N)
        {
            ref var xi = ref Unsafe.Add(ref x, i);
            sa = Block(ref ma, sa, ref xi, ref Unsafe.Add(ref ya, i));
            sb = Block(ref mb, sb, ref xi, ref Unsafe.Add(ref yb, i));
        }
        (a._s, b._s) = (sa, sb);
        a.Tail(input[i..], outputA[i..]);
        b.Tail(input[i..], outputB[i..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Block(ref float m, Vector128<float> s, ref float x, ref float y)
    {
        var x0 = Vector128.Create(x);
        var x1 = Vector128.Create(Unsafe.Add(ref x, 1));
        var x2 = Vector128.Create(Unsafe.Add(ref x, 2));
        var x3 = Vector128.Create(Unsafe.Add(ref x, 3));
        var x4 = Vector128.Create(Unsafe.Add(ref x, 4));
        var x5 = Vector128.Create(Unsafe.Add(ref x, 5));
        var x6 = Vector128.Create(Unsafe.Add(ref x, 6));
        var x7 = Vector128.Create(Unsafe.Add(ref x, 7));
        var s0 = Vector128.Shuffle(s, Vector128.Create(0));
        var s1 = Vector128.Shuffle(s, Vector128.Create(1));
        var s2 = Vector128.Shuffle(s, Vector128.Create(2));
        var s3 = Vector128.Shuffle(s, Vector128.Create(3));

        // outputs 0–3: C's top rows · s + D's top-left 4×4 · x(0…3)
        var top = PlusState(ref m, CTop, s0, s1, s2, s3, Vector128.Multiply(Col(ref m, DTop, 0), x0));
        var top2 = Vector128.Multiply(Col(ref m, DTop, 1), x1);
        top2 = Vector128.FusedMultiplyAdd(Col(ref m, DTop, 2), x2, top2);
        top2 = Vector128.FusedMultiplyAdd(Col(ref m, DTop, 3), x3, top2);
        (top + top2).StoreUnsafe(ref y);

        // outputs 4–7: C's bottom rows · s + D's bottom rows · x(0…7)
        var bottom = PlusState(ref m, CBottom, s0, s1, s2, s3, Vector128.Multiply(Col(ref m, DBottom, 0), x0));
        bottom = Vector128.FusedMultiplyAdd(Col(ref m, DBottom, 1), x1, bottom);
        var bottom2 = Vector128.Multiply(Col(ref m, DBottom, 2), x2);
        bottom2 = Vector128.FusedMultiplyAdd(Col(ref m, DBottom, 3), x3, bottom2);
        bottom2 = Vector128.FusedMultiplyAdd(Col(ref m, DBottom, 4), x4, bottom2);
        bottom2 = Vector128.FusedMultiplyAdd(Col(ref m, DBottom, 5), x5, bottom2);
        bottom2 = Vector128.FusedMultiplyAdd(Col(ref m, DBottom, 6), x6, bottom2);
        bottom2 = Vector128.FusedMultiplyAdd(Col(ref m, DBottom, 7), x7, bottom2);
        (bottom + bottom2).StoreUnsafe(ref y, 4);

        // the next state: B · x (off the block-to-block chain) + A⁸ · s (two multiply-adds deep)
        var bx = Vector128.FusedMultiplyAdd(Col(ref m, BNext, 1), x1, Vector128.Multiply(Col(ref m, BNext, 0), x0));
        var bx2 = Vector128.FusedMultiplyAdd(Col(ref m, BNext, 5), x5, Vector128.Multiply(Col(ref m, BNext, 4), x4));
        bx = Vector128.FusedMultiplyAdd(Col(ref m, BNext, 2), x2, bx);
        bx2 = Vector128.FusedMultiplyAdd(Col(ref m, BNext, 6), x6, bx2);
        bx = Vector128.FusedMultiplyAdd(Col(ref m, BNext, 3), x3, bx);
        bx2 = Vector128.FusedMultiplyAdd(Col(ref m, BNext, 7), x7, bx2);
        var low = Vector128.FusedMultiplyAdd(Col(ref m, ANext, 1), s1, Vector128.FusedMultiplyAdd(Col(ref m, ANext, 0), s0, bx));
        var high = Vector128.FusedMultiplyAdd(Col(ref m, ANext, 3), s3, Vector128.FusedMultiplyAdd(Col(ref m, ANext, 2), s2, bx2));
        return low + high;
    }

    // acc + C's half at `block` · s, column by column.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> PlusState(ref float m, int block, Vector128<float> s0, Vector128<float> s1, Vector128<float> s2, Vector128<float> s3, Vector128<float> acc)
    {
        acc = Vector128.FusedMultiplyAdd(Col(ref m, block, 0), s0, acc);
        acc = Vector128.FusedMultiplyAdd(Col(ref m, block, 1), s1, acc);
        acc = Vector128.FusedMultiplyAdd(Col(ref m, block, 2), s2, acc);
        return Vector128.FusedMultiplyAdd(Col(ref m, block, 3), s3, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Col(ref float m, int block, int column) => Vector128.LoadUnsafe(ref m, (nuint)(block + 4 * column));

    // The last < 8 samples of a chunk: the recursion itself, on the same state.
    private void Tail(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.IsEmpty) return;
        float s1 = _s[0], s2 = _s[1], t1 = _s[2], t2 = _s[3];
        for (var i = 0; i < input.Length; i++)
        {
            var x = input[i];
            var u = _b0 * x + s1;
            (s1, s2) = (_b1 * x - _a1 * u + s2, _b2 * x - _a2 * u);
            var v = _c0 * u + t1;
            (t1, t2) = (_c1 * u - _d1 * v + t2, _c2 * u - _d2 * v);
            output[i] = v;
        }
        _s = Vector128.Create(s1, s2, t1, t2);
    }
}
