using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp;

/// <summary>
/// The FFT of a real signal of N samples, for spectra used only bin by bin (products, powers, the block NLMS): the
/// N/2 + 1 bins come out in a fixed scrambled order — bit-reversed — and <see cref="Inverse"/> takes them in that
/// order, so neither direction spends a pass on reordering, and every stage runs in SIMD.
/// <code>
///   z(n) = x(2n) + j x(2n+1),  M = N/2                          two-for-one packing (Brigham 1988, §9.3)
///   Z = DIF-FFT_M(z)                                            natural in, bit-reversed out (Cooley–Tukey, Gentleman–Sande)
///   X(k) = F_e + W^k F_o,  X(M−k) = conj(F_e − W^k F_o)          F_e = ½(Z(k) + Z*(M−k)), F_o = −½j(Z(k) − Z*(M−k))
///   position p holds bin rev(p) (p &lt; M), position M holds bin M (Nyquist)
/// </code>
/// Pairs k and M − k sit mirrored inside each octave block of the bit-reversed order (positions [L, 2L) pair p with
/// 3L − 1 − p), so the real-FFT split runs on SIMD vectors with reversed loads. Stages with butterflies at least one
/// vector (8 floats) apart run as vector butterflies; the last three (spans 4, 2, 1) run inside each vector with lane
/// permutes. The inverse mirrors it: the split undone (scaled 1/M), a DIT-FFT with conjugate twiddles (bit-reversed in,
/// natural out), x re-interleaved. <see cref="BinOfPosition"/> maps positions to bins (for checkpoints, which keep bins
/// in natural order). Without 256-bit SIMD, or for N &lt; 32, it is <see cref="RealFft"/> and the order is natural.
/// Allocation-free per call.
/// Longer than 350 lines: the forward and inverse transforms and their SIMD stages are one algorithm and read best together.
/// </summary>
public sealed class BinwiseRealFft
{
    private const int Lanes = 8;
    private readonly int _n, _m;                  // N real samples, M = N/2 complex points
    private readonly RealFft? _fallback;          // natural order, when the SIMD path does not apply
    private readonly float[] _twRe, _twIm;        // DIF twiddles e^{−jπk/h} per stage with h ≥ 8, stages concatenated
    private readonly float[] _wRe, _wIm;          // per position p: W^k = e^{−j2πk/N}, k = rev(p)
    private readonly int[] _binOfPosition;
    private readonly int[] _swaps;                // (p, rev(p)) pairs with p < rev(p): position order ↔ natural order

    // Read-only, one copy per size for every instance (every session's analysers hold FFTs of the same few sizes);
    // the packed signal z is per-thread scratch (FftScratch), used only inside one call.
    private sealed record Tables(int[] BinOfPosition, int[] Swaps, float[] TwRe, float[] TwIm, float[] WRe, float[] WIm);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Tables> Shared = new();

    /// <summary>True when <paramref name="size"/> runs the SIMD path here (else the order is natural: <see cref="RealFft"/>).</summary>
    public static bool Scrambles(int size) => Vector256.IsHardwareAccelerated && size / 2 >= 2 * Lanes;

    public BinwiseRealFft(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0) throw new ArgumentException($"FFT size {size} is not a power of two ≥ 4.");
        _n = size;
        _m = size / 2;
        if (!Scrambles(size))
        {
            _fallback = new RealFft(size, natural: true);
            _binOfPosition = new int[_m + 1];
            for (var k = 0; k <= _m; k++) _binOfPosition[k] = k;
            _swaps = [];
            _twRe = _twIm = _wRe = _wIm = [];
            return;
        }
        var tables = Shared.GetOrAdd(size, Build);
        (_binOfPosition, _swaps, _twRe, _twIm, _wRe, _wIm) = (tables.BinOfPosition, tables.Swaps, tables.TwRe, tables.TwIm, tables.WRe, tables.WIm);
    }

    private static Tables Build(int size)
    {
        var m = size / 2;
        var bits = BitOperations.Log2((uint)m);
        var binOfPosition = new int[m + 1];
        var swaps = new List<int>();
        for (var p = 0; p < m; p++)
        {
            binOfPosition[p] = Reverse(p, bits);
            if (p < binOfPosition[p]) { swaps.Add(p); swaps.Add(binOfPosition[p]); }
        }
        binOfPosition[m] = m;
        var twRe = new float[m];
        var twIm = new float[m];
        for (int half = m / 2, offset = 0; half >= Lanes; offset += half, half >>= 1)
            for (var k = 0; k < half; k++)
            {
                var angle = -Math.PI * k / half;
                twRe[offset + k] = (float)Math.Cos(angle);
                twIm[offset + k] = (float)Math.Sin(angle);
            }
        var wRe = new float[m];
        var wIm = new float[m];
        for (var p = 0; p < m; p++)
        {
            var angle = 2 * Math.PI * binOfPosition[p] / size;
            wRe[p] = (float)Math.Cos(angle);
            wIm[p] = (float)-Math.Sin(angle);
        }
        return new Tables(binOfPosition, [.. swaps], twRe, twIm, wRe, wIm);
    }

    /// <summary>Bins per spectrum: N/2 + 1.</summary>
    public int Bins => _m + 1;

    /// <summary>The bin each position of a spectrum holds.</summary>
    public ReadOnlySpan<int> BinOfPosition => _binOfPosition;

    private static int Reverse(int value, int bits)
    {
        var r = 0;
        for (var b = 0; b < bits; b++) r |= ((value >> b) & 1) << (bits - 1 - b);
        return r;
    }

    /// <summary>x (N real samples) → X (N/2 + 1 bins, in position order).</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> re, Span<float> im)
    {
        if (_fallback is not null)
        {
            _fallback.Forward(x, re, im);
            return;
        }
        if (x.Length < _n || re.Length <= _m || im.Length <= _m) throw new ArgumentException("Spans too short for this FFT.");
        var zRe = FftScratch.PackedArrayRe(_m);
        var zIm = FftScratch.PackedArrayIm(_m);
        Deinterleave(x, zRe, zIm);
        Dif(zRe, zIm);
        Split(zRe, zIm, re, im);
    }

    /// <summary>
    /// A spectrum in position order (<see cref="Forward"/>'s) → natural order, in place: the first N/2 bins are bit-reversed
    /// (an involution, so a list of swaps), bin N/2 stays. For callers that index bins by frequency.
    /// </summary>
    public void ToNaturalOrder(Span<float> re, Span<float> im)
    {
        if (re.Length <= _m || im.Length <= _m) throw new ArgumentException("Spans too short for this FFT.");
        var swaps = _swaps;
        for (var s = 0; s < swaps.Length; s += 2)
        {
            var i = swaps[s];
            var j = swaps[s + 1];
            (re[i], re[j]) = (re[j], re[i]);
            (im[i], im[j]) = (im[j], im[i]);
        }
    }

    /// <summary>X (N/2 + 1 bins, in position order) → x (N real samples): the exact inverse of <see cref="Forward"/>.</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> x)
    {
        if (_fallback is not null)
        {
            _fallback.Inverse(re, im, x);
            return;
        }
        if (x.Length < _n || re.Length <= _m || im.Length <= _m) throw new ArgumentException("Spans too short for this FFT.");
        var zRe = FftScratch.PackedArrayRe(_m);
        var zIm = FftScratch.PackedArrayIm(_m);
        Merge(re, im, zRe, zIm);
        Dit(zRe, zIm);
        Interleave(zRe, zIm, x);
    }

    // z(n) = x(2n) + j x(2n+1)
    private void Deinterleave(ReadOnlySpan<float> x, float[] zRe, float[] zIm)
    {
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var r0 = ref MemoryMarshal.GetArrayDataReference(zRe);
        ref var i0 = ref MemoryMarshal.GetArrayDataReference(zIm);
        for (var n = 0; n < _m; n += Lanes)
        {
            var a = Vector256.Shuffle(Vector256.LoadUnsafe(ref x0, (nuint)(2 * n)), Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
            var b = Vector256.Shuffle(Vector256.LoadUnsafe(ref x0, (nuint)(2 * n + Lanes)), Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7));
            Vector256.Create(a.GetLower(), b.GetLower()).StoreUnsafe(ref r0, (nuint)n);
            Vector256.Create(a.GetUpper(), b.GetUpper()).StoreUnsafe(ref i0, (nuint)n);
        }
    }

    // x(2n) = Re z(n), x(2n+1) = Im z(n)
    private void Interleave(float[] zRe, float[] zIm, Span<float> x)
    {
        ref var x0 = ref MemoryMarshal.GetReference(x);
        ref var r0 = ref MemoryMarshal.GetArrayDataReference(zRe);
        ref var i0 = ref MemoryMarshal.GetArrayDataReference(zIm);
        for (var n = 0; n < _m; n += Lanes)
        {
            var r = Vector256.LoadUnsafe(ref r0, (nuint)n);
            var i = Vector256.LoadUnsafe(ref i0, (nuint)n);
            Vector256.Shuffle(Vector256.Create(r.GetLower(), i.GetLower()), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).StoreUnsafe(ref x0, (nuint)(2 * n));
            Vector256.Shuffle(Vector256.Create(r.GetUpper(), i.GetUpper()), Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7)).StoreUnsafe(ref x0, (nuint)(2 * n + Lanes));
        }
    }

    // The size-8 sub-DFT twiddles of the in-register stages, forward (e^{−j2πk/8}, e^{−j2πk/4}) and their conjugates.
    private const float H = 0.707106781186547524f; // √½ (a constant, so the twiddle vectors below are JIT-time constants)
    private static Vector256<float> Sign4 => Vector256.Create(1f, 1f, 1f, 1f, -1f, -1f, -1f, -1f);
    private static Vector256<float> Sign2 => Vector256.Create(1f, 1f, -1f, -1f, 1f, 1f, -1f, -1f);
    private static Vector256<float> Sign1 => Vector256.Create(1f, -1f, 1f, -1f, 1f, -1f, 1f, -1f);
    private static Vector256<float> T4Re => Vector256.Create(1f, 1f, 1f, 1f, 1f, H, 0f, -H);
    private static Vector256<float> T4Im => Vector256.Create(0f, 0f, 0f, 0f, 0f, -H, -1f, -H);
    private static Vector256<float> T2Re => Vector256.Create(1f, 1f, 1f, 0f, 1f, 1f, 1f, 0f);
    private static Vector256<float> T2Im => Vector256.Create(0f, 0f, 0f, -1f, 0f, 0f, 0f, -1f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Multiply(ref Vector256<float> re, ref Vector256<float> im, Vector256<float> wr, Vector256<float> wi)
    {
        var r = re * wr - im * wi;
        im = re * wi + im * wr;
        re = r;
    }

    /// <summary>Decimation in frequency, natural order in, bit-reversed out.</summary>
    private void Dif(float[] zRe, float[] zIm)
    {
        ref var r0 = ref MemoryMarshal.GetArrayDataReference(zRe);
        ref var i0 = ref MemoryMarshal.GetArrayDataReference(zIm);
        ref var wr0 = ref MemoryMarshal.GetArrayDataReference(_twRe);
        ref var wi0 = ref MemoryMarshal.GetArrayDataReference(_twIm);
        for (int half = _m / 2, offset = 0; half >= Lanes; offset += half, half >>= 1)
            for (var start = 0; start < _m; start += 2 * half)
                for (var k = 0; k < half; k += Lanes)
                {
                    var a = (nuint)(start + k);
                    var b = a + (nuint)half;
                    var ar = Vector256.LoadUnsafe(ref r0, a);
                    var ai = Vector256.LoadUnsafe(ref i0, a);
                    var br = Vector256.LoadUnsafe(ref r0, b);
                    var bi = Vector256.LoadUnsafe(ref i0, b);
                    (ar + br).StoreUnsafe(ref r0, a);
                    (ai + bi).StoreUnsafe(ref i0, a);
                    var dr = ar - br;
                    var di = ai - bi;
                    Multiply(ref dr, ref di, Vector256.LoadUnsafe(ref wr0, (nuint)(offset + k)), Vector256.LoadUnsafe(ref wi0, (nuint)(offset + k)));
                    dr.StoreUnsafe(ref r0, b);
                    di.StoreUnsafe(ref i0, b);
                }
        for (var g = 0; g < _m; g += Lanes)
        {
            var re = Vector256.LoadUnsafe(ref r0, (nuint)g);
            var im = Vector256.LoadUnsafe(ref i0, (nuint)g);
            // span 4: lanes i and i+4 → (a + b, (a − b) w8^i)
            var idx = Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3);
            re = re * Sign4 + Vector256.Shuffle(re, idx);
            im = im * Sign4 + Vector256.Shuffle(im, idx);
            Multiply(ref re, ref im, T4Re, T4Im);
            // span 2, twiddles w4^0, w4^1
            idx = Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5);
            re = re * Sign2 + Vector256.Shuffle(re, idx);
            im = im * Sign2 + Vector256.Shuffle(im, idx);
            Multiply(ref re, ref im, T2Re, T2Im);
            // span 1
            idx = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
            re = re * Sign1 + Vector256.Shuffle(re, idx);
            im = im * Sign1 + Vector256.Shuffle(im, idx);
            re.StoreUnsafe(ref r0, (nuint)g);
            im.StoreUnsafe(ref i0, (nuint)g);
        }
    }

    /// <summary>Decimation in time with conjugate twiddles: bit-reversed in, natural out (unscaled).</summary>
    private void Dit(float[] zRe, float[] zIm)
    {
        ref var r0 = ref MemoryMarshal.GetArrayDataReference(zRe);
        ref var i0 = ref MemoryMarshal.GetArrayDataReference(zIm);
        ref var wr0 = ref MemoryMarshal.GetArrayDataReference(_twRe);
        ref var wi0 = ref MemoryMarshal.GetArrayDataReference(_twIm);
        for (var g = 0; g < _m; g += Lanes)
        {
            var re = Vector256.LoadUnsafe(ref r0, (nuint)g);
            var im = Vector256.LoadUnsafe(ref i0, (nuint)g);
            var idx = Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6);
            re = re * Sign1 + Vector256.Shuffle(re, idx);
            im = im * Sign1 + Vector256.Shuffle(im, idx);
            Multiply(ref re, ref im, T2Re, -T2Im);
            idx = Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5);
            re = re * Sign2 + Vector256.Shuffle(re, idx);
            im = im * Sign2 + Vector256.Shuffle(im, idx);
            Multiply(ref re, ref im, T4Re, -T4Im);
            idx = Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3);
            re = re * Sign4 + Vector256.Shuffle(re, idx);
            im = im * Sign4 + Vector256.Shuffle(im, idx);
            re.StoreUnsafe(ref r0, (nuint)g);
            im.StoreUnsafe(ref i0, (nuint)g);
        }
        for (var half = Lanes; half < _m; half <<= 1)
        {
            var offset = 0; // the twiddles of span `half` follow those of every larger span
            for (var h = _m / 2; h > half; h >>= 1) offset += h;
            for (var start = 0; start < _m; start += 2 * half)
                for (var k = 0; k < half; k += Lanes)
                {
                    var a = (nuint)(start + k);
                    var b = a + (nuint)half;
                    var br = Vector256.LoadUnsafe(ref r0, b);
                    var bi = Vector256.LoadUnsafe(ref i0, b);
                    Multiply(ref br, ref bi, Vector256.LoadUnsafe(ref wr0, (nuint)(offset + k)), -Vector256.LoadUnsafe(ref wi0, (nuint)(offset + k)));
                    var ar = Vector256.LoadUnsafe(ref r0, a);
                    var ai = Vector256.LoadUnsafe(ref i0, a);
                    (ar + br).StoreUnsafe(ref r0, a);
                    (ai + bi).StoreUnsafe(ref i0, a);
                    (ar - br).StoreUnsafe(ref r0, b);
                    (ai - bi).StoreUnsafe(ref i0, b);
                }
        }
    }

    /// <summary>Z (bit-reversed) → X (position order): X(k) = F_e + W^k F_o, X(M−k) = conj(F_e − W^k F_o).</summary>
    private void Split(float[] zRe, float[] zIm, Span<float> re, Span<float> im)
    {
        // position 0: bins 0 and M (Nyquist); position 1: bin M/2, X = conj(Z)
        re[0] = zRe[0] + zIm[0];
        im[0] = 0;
        re[_m] = zRe[0] - zIm[0];
        im[_m] = 0;
        re[1] = zRe[1];
        im[1] = -zIm[1];
        for (var block = 2; block < _m; block <<= 1)
        {
            var count = block / 2;
            var p = block;
            if (count >= Lanes)
            {
                ref var zr = ref MemoryMarshal.GetArrayDataReference(zRe);
                ref var zi = ref MemoryMarshal.GetArrayDataReference(zIm);
                ref var xr = ref MemoryMarshal.GetReference(re);
                ref var xi = ref MemoryMarshal.GetReference(im);
                ref var wr = ref MemoryMarshal.GetArrayDataReference(_wRe);
                ref var wi = ref MemoryMarshal.GetArrayDataReference(_wIm);
                var reverse = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
                var half = Vector256.Create(0.5f);
                for (; p + Lanes <= block + count; p += Lanes)
                {
                    var q = (nuint)(3 * block - Lanes - p); // the partners of p … p+7, in reverse
                    var ar = Vector256.LoadUnsafe(ref zr, (nuint)p);
                    var ai = Vector256.LoadUnsafe(ref zi, (nuint)p);
                    var br = Vector256.Shuffle(Vector256.LoadUnsafe(ref zr, q), reverse);
                    var bi = Vector256.Shuffle(Vector256.LoadUnsafe(ref zi, q), reverse);
                    var feRe = half * (ar + br);
                    var feIm = half * (ai - bi);
                    var foRe = half * (ai + bi);
                    var foIm = half * (br - ar);
                    Multiply(ref foRe, ref foIm, Vector256.LoadUnsafe(ref wr, (nuint)p), Vector256.LoadUnsafe(ref wi, (nuint)p));
                    (feRe + foRe).StoreUnsafe(ref xr, (nuint)p);
                    (feIm + foIm).StoreUnsafe(ref xi, (nuint)p);
                    Vector256.Shuffle(feRe - foRe, reverse).StoreUnsafe(ref xr, q);
                    Vector256.Shuffle(foIm - feIm, reverse).StoreUnsafe(ref xi, q);
                }
            }
            for (; p < block + count; p++)
            {
                var q = 3 * block - 1 - p;
                float ar = zRe[p], ai = zIm[p], br = zRe[q], bi = zIm[q];
                float feRe = 0.5f * (ar + br), feIm = 0.5f * (ai - bi), foRe = 0.5f * (ai + bi), foIm = 0.5f * (br - ar);
                float tr = foRe * _wRe[p] - foIm * _wIm[p], ti = foRe * _wIm[p] + foIm * _wRe[p];
                re[p] = feRe + tr;
                im[p] = feIm + ti;
                re[q] = feRe - tr;
                im[q] = ti - feIm;
            }
        }
    }

    /// <summary>X (position order) → Z (bit-reversed), scaled by 1/M: Z(k) = F_e + jF_o, Z(M−k) = conj(F_e − jF_o).</summary>
    private void Merge(ReadOnlySpan<float> re, ReadOnlySpan<float> im, float[] zRe, float[] zIm)
    {
        var scale = 0.5f / _m;
        zRe[0] = scale * (re[0] + re[_m]);
        zIm[0] = scale * (re[0] - re[_m]);
        zRe[1] = 2 * scale * re[1];
        zIm[1] = -2 * scale * im[1];
        for (var block = 2; block < _m; block <<= 1)
        {
            var count = block / 2;
            var p = block;
            if (count >= Lanes)
            {
                ref var zr = ref MemoryMarshal.GetArrayDataReference(zRe);
                ref var zi = ref MemoryMarshal.GetArrayDataReference(zIm);
                ref var xr = ref MemoryMarshal.GetReference(re);
                ref var xi = ref MemoryMarshal.GetReference(im);
                ref var wr = ref MemoryMarshal.GetArrayDataReference(_wRe);
                ref var wi = ref MemoryMarshal.GetArrayDataReference(_wIm);
                var reverse = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
                var s = Vector256.Create(scale);
                for (; p + Lanes <= block + count; p += Lanes)
                {
                    var q = (nuint)(3 * block - Lanes - p);
                    var ar = Vector256.LoadUnsafe(ref xr, (nuint)p);
                    var ai = Vector256.LoadUnsafe(ref xi, (nuint)p);
                    var br = Vector256.Shuffle(Vector256.LoadUnsafe(ref xr, q), reverse);
                    var bi = Vector256.Shuffle(Vector256.LoadUnsafe(ref xi, q), reverse);
                    var feRe = s * (ar + br);
                    var feIm = s * (ai - bi);
                    var foRe = s * (ar - br);
                    var foIm = s * (ai + bi);
                    // F_o = D e^{+j2πk/N} = D conj(W^k)
                    Multiply(ref foRe, ref foIm, Vector256.LoadUnsafe(ref wr, (nuint)p), -Vector256.LoadUnsafe(ref wi, (nuint)p));
                    (feRe - foIm).StoreUnsafe(ref zr, (nuint)p);
                    (feIm + foRe).StoreUnsafe(ref zi, (nuint)p);
                    Vector256.Shuffle(feRe + foIm, reverse).StoreUnsafe(ref zr, q);
                    Vector256.Shuffle(foRe - feIm, reverse).StoreUnsafe(ref zi, q);
                }
            }
            for (; p < block + count; p++)
            {
                var q = 3 * block - 1 - p;
                float ar = re[p], ai = im[p], br = re[q], bi = im[q];
                float feRe = scale * (ar + br), feIm = scale * (ai - bi), dRe = scale * (ar - br), dIm = scale * (ai + bi);
                float foRe = dRe * _wRe[p] + dIm * _wIm[p], foIm = dIm * _wRe[p] - dRe * _wIm[p];
                zRe[p] = feRe - foIm;
                zIm[p] = feIm + foRe;
                zRe[q] = feRe + foIm;
                zIm[q] = foRe - feIm;
            }
        }
    }
}
