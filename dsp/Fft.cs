using System.Numerics;
using System.Runtime.InteropServices;

namespace AncOrleans.Dsp;

/// <summary>
/// In-place iterative radix-2 complex FFT (Cooley &amp; Tukey, "An algorithm for the machine calculation of
/// complex Fourier series", Math. Comp. 19, 1965) on split real/imaginary arrays:
/// <code>
///   X(k) = Σ_n x(n) e^{−j2πkn/N}          Forward
///   x(n) = (1/N) Σ_k X(k) e^{+j2πkn/N}     Inverse (scaled)
/// </code>
/// Twiddles are stored per stage, contiguous, so every stage whose half-size is at least one SIMD vector runs
/// its butterflies with <see cref="Vector{T}"/>; the first, short stages run scalar. No allocation per call.
/// The twiddles and the permutation depend only on the size and are read-only: one copy per size is shared by every
/// instance (every session's detectors hold FFTs of the same sizes; issue 13, memory per session).
/// </summary>
public sealed class Fft
{
    private readonly int _n;
    private readonly int[] _swaps;                    // bit-reversal permutation as (i, j) pairs with i < j
    private readonly float[] _twRe, _twIm, _twImInv;  // per stage: e^{∓j2πk/size}, k < size/2, stages concatenated

    private sealed record Tables(int[] Swaps, float[] TwRe, float[] TwIm, float[] TwImInv);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Tables> Shared = new();

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0) throw new ArgumentException($"FFT size {size} is not a power of two.");
        _n = size;
        var tables = Shared.GetOrAdd(size, Build);
        _swaps = tables.Swaps;
        _twRe = tables.TwRe;
        _twIm = tables.TwIm;
        _twImInv = tables.TwImInv;
    }

    private static Tables Build(int size)
    {
        var bits = BitOperations.Log2((uint)size);
        var swaps = new List<int>();
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            if (i < r) { swaps.Add(i); swaps.Add(r); }
        }
        var twRe = new float[size];
        var twIm = new float[size];
        var twImInv = new float[size];
        for (int half = 1, offset = 0; half < size; offset += half, half <<= 1)
            for (var k = 0; k < half; k++)
            {
                var angle = -Math.PI * k / half;
                twRe[offset + k] = (float)Math.Cos(angle);
                twIm[offset + k] = (float)Math.Sin(angle);
                twImInv[offset + k] = -twIm[offset + k];
            }
        return new Tables(swaps.ToArray(), twRe, twIm, twImInv);
    }

    public int Size => _n;

    public void Forward(Span<float> re, Span<float> im) => Transform(re, im, _twIm);

    public void Inverse(Span<float> re, Span<float> im)
    {
        Transform(re, im, _twImInv);
        var scale = 1f / _n;
        System.Numerics.Tensors.TensorPrimitives.Multiply(re[.._n], scale, re);
        System.Numerics.Tensors.TensorPrimitives.Multiply(im[.._n], scale, im);
    }

    private void Transform(Span<float> re, Span<float> im, float[] twIm)
    {
        for (var s = 0; s < _swaps.Length; s += 2)
        {
            var i = _swaps[s];
            var j = _swaps[s + 1];
            (re[i], re[j]) = (re[j], re[i]);
            (im[i], im[j]) = (im[j], im[i]);
        }
        ref var r0 = ref MemoryMarshal.GetReference(re);
        ref var i0 = ref MemoryMarshal.GetReference(im);
        ref var wr0 = ref MemoryMarshal.GetArrayDataReference(_twRe);
        ref var wi0 = ref MemoryMarshal.GetArrayDataReference(twIm);
        var lanes = Vector<float>.Count;
        for (int half = 1, offset = 0; half < _n; offset += half, half <<= 1)
        {
            var size = half << 1;
            if (half == 1) // twiddle 1: add and subtract
            {
                for (var a = 0; a < _n; a += 2)
                {
                    var tr = re[a + 1];
                    var ti = im[a + 1];
                    re[a + 1] = re[a] - tr;
                    im[a + 1] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
                continue;
            }
            if (half < lanes)
            {
                for (var start = 0; start < _n; start += size)
                    for (var k = 0; k < half; k++)
                    {
                        var wr = _twRe[offset + k];
                        var wi = twIm[offset + k];
                        var a = start + k;
                        var b = a + half;
                        var tr = re[b] * wr - im[b] * wi;
                        var ti = re[b] * wi + im[b] * wr;
                        re[b] = re[a] - tr;
                        im[b] = im[a] - ti;
                        re[a] += tr;
                        im[a] += ti;
                    }
                continue;
            }
            for (var start = 0; start < _n; start += size)
                for (var k = 0; k < half; k += lanes)
                {
                    var wr = Vector.LoadUnsafe(ref wr0, (nuint)(offset + k));
                    var wi = Vector.LoadUnsafe(ref wi0, (nuint)(offset + k));
                    var a = (nuint)(start + k);
                    var b = a + (nuint)half;
                    var br = Vector.LoadUnsafe(ref r0, b);
                    var bi = Vector.LoadUnsafe(ref i0, b);
                    var ar = Vector.LoadUnsafe(ref r0, a);
                    var ai = Vector.LoadUnsafe(ref i0, a);
                    var tr = br * wr - bi * wi;
                    var ti = br * wi + bi * wr;
                    (ar - tr).StoreUnsafe(ref r0, b);
                    (ai - ti).StoreUnsafe(ref i0, b);
                    (ar + tr).StoreUnsafe(ref r0, a);
                    (ai + ti).StoreUnsafe(ref i0, a);
                }
        }
    }
}
