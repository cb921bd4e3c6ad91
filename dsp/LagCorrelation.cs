using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp;

/// <summary>
/// The first L lags of a record's autocorrelation and of a target's cross-correlation with it, on zero pre-history:
/// <code>
///   r(k) = Σ_{m=0}^{N−1−k} u(m) u(m+k),   p(k) = Σ_{m=0}^{N−1−k} u(m) t(m+k),   k = 0 … L−1
/// </code>
/// 2NL multiply-adds in double (the least-squares warm start's largest cost). Computed four lags at a time: each
/// vector of u(m) is loaded once for eight products (r and p at lags k … k+3), so a step is nine loads for eight fused
/// multiply-adds where separate dot products take sixteen. Sums run in a different order from a plain dot product, so
/// results differ from one in the last bits only. Allocates nothing.
/// </summary>
public static class LagCorrelation
{
    private const int Block = 4;

    public static void Compute(ReadOnlySpan<double> u, ReadOnlySpan<double> t, Span<double> r, Span<double> p)
    {
        var n = u.Length;
        var lags = r.Length;
        if (t.Length != n || p.Length != lags || lags > n) throw new ArgumentException($"{lags} lags of a {n}-sample record need {n} target samples and {lags} outputs for each correlation.");
        var k = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; k + Block <= lags; k += Block) FourLags(u, t, k, r, p);
        for (; k < lags; k++)
        {
            double rk = 0, pk = 0;
            for (var m = 0; m + k < n; m++)
            {
                rk += u[m] * u[m + k];
                pk += u[m] * t[m + k];
            }
            r[k] = rk;
            p[k] = pk;
        }
    }

    private static void FourLags(ReadOnlySpan<double> u, ReadOnlySpan<double> t, int k, Span<double> r, Span<double> p)
    {
        var n = u.Length;
        ref var u0 = ref MemoryMarshal.GetReference(u);
        ref var t0 = ref MemoryMarshal.GetReference(t);
        Vector256<double> r0 = default, r1 = default, r2 = default, r3 = default, p0 = default, p1 = default, p2 = default, p3 = default;
        // Every lag of the block is valid for m + k + 3 < n; vectors of 4 cover m < last.
        var common = n - k - (Block - 1);
        var m = 0;
        for (; m + Vector256<double>.Count <= common; m += Vector256<double>.Count)
        {
            var x = Vector256.LoadUnsafe(ref u0, (nuint)m);
            var at = (nuint)(m + k);
            r0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref u0, at), r0);
            p0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref t0, at), p0);
            r1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref u0, at + 1), r1);
            p1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref t0, at + 1), p1);
            r2 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref u0, at + 2), r2);
            p2 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref t0, at + 2), p2);
            r3 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref u0, at + 3), r3);
            p3 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref t0, at + 3), p3);
        }
        r[k] = Rest(u, t, k, m, Vector256.Sum(r0), p, Vector256.Sum(p0));
        r[k + 1] = Rest(u, t, k + 1, m, Vector256.Sum(r1), p, Vector256.Sum(p1));
        r[k + 2] = Rest(u, t, k + 2, m, Vector256.Sum(r2), p, Vector256.Sum(p2));
        r[k + 3] = Rest(u, t, k + 3, m, Vector256.Sum(r3), p, Vector256.Sum(p3));
    }

    // Lag `lag`'s products from m = `from` to the record's end, added to the vector part; writes p(lag), returns r(lag).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Rest(ReadOnlySpan<double> u, ReadOnlySpan<double> t, int lag, int from, double rSum, Span<double> p, double pSum)
    {
        for (var m = from; m + lag < u.Length; m++)
        {
            rSum += u[m] * u[m + lag];
            pSum += u[m] * t[m + lag];
        }
        p[lag] = pSum;
        return rSum;
    }
}
