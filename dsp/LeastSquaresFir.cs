using System.Buffers;

namespace AncOrleans.Dsp;

/// <summary>
/// The least-squares FIR filter of L taps at zero delay on a finite record (the covariance method, zero pre-history):
/// <code>
///   w = argmin_w Σ_n (t(n) − Σ_k w(k) u(n−k))²  =  R⁻¹ p,
///   R_ij = Σ_n u(n−i) u(n−j),   p_i = Σ_n t(n) u(n−i)
/// </code>
/// R's first row and p are <see cref="LagCorrelation"/> (O(NL), SIMD); R itself is never formed: its shift recursion
/// R_{i+1,j+1} = R_{i,j} − u(N−1−i) u(N−1−j) gives it displacement rank 3, and <see cref="CovarianceSchurSolver"/>
/// factors it from its first row and the record's last L − 1 samples in O(L²) — exact, where the autocorrelation
/// method's Toeplitz matrix (Levinson, also O(L²)) drops the record's end terms and, tried here, cost the warm start
/// 3–10 dB of edge mode's final reduction (docs/measurements/benchmarks.md, "Ninth session"). Diagonal load
/// 10⁻⁶·tr(R)/L (raised ×100 while R is not positive definite numerically). Used once per session by edge mode's warm
/// start (<see cref="EdgeCanceller"/>); its work (≈ 1 MB at L = 512, the packed factor) comes from the shared pool.
/// Returns null when the record carries no energy or the solution is not finite.
/// </summary>
public static class LeastSquaresFir
{
    public static float[]? Fit(ReadOnlySpan<float> regressor, ReadOnlySpan<float> target, int length)
    {
        var n = target.Length;
        if (regressor.Length != n) throw new ArgumentException("Regressor and target lengths differ.");
        if (length < 1 || length > n) throw new ArgumentException($"length {length} must be 1–{n}.");
        var pool = ArrayPool<double>.Shared;
        var record = pool.Rent(2 * n);
        var work = pool.Rent(CovarianceSchurSolver.WorkLength(length));
        try
        {
            var u = record.AsSpan(0, n);
            var t = record.AsSpan(n, n);
            for (var m = 0; m < n; m++)
            {
                u[m] = regressor[m];
                t[m] = target[m];
            }
            var r = new double[length];
            var p = new double[length];
            LagCorrelation.Compute(u, t, r, p);
            // The record's last L − 1 samples, newest first, and tr(R) = Σ_i (r₀ − Σ_{q<i} u(N−1−q)²).
            var tail = new double[Math.Max(length - 1, 0)];
            double trace = 0, dropped = 0;
            for (var i = 0; i < length; i++)
            {
                trace += r[0] - dropped;
                if (i + 1 >= length) break;
                tail[i] = u[n - 1 - i];
                dropped += tail[i] * tail[i];
            }
            trace /= length;
            if (!(trace > 0) || !double.IsFinite(trace)) return null;
            var w = new double[length];
            for (var relative = 1e-6; relative <= 1; relative *= 100)
            {
                if (!CovarianceSchurSolver.TrySolve(r, relative * trace, tail, p, w, work)) continue;
                var taps = new float[length];
                for (var k = 0; k < length; k++) taps[k] = (float)w[k];
                foreach (var tap in taps)
                    if (!float.IsFinite(tap)) return null;
                return taps;
            }
            return null;
        }
        finally
        {
            pool.Return(record);
            pool.Return(work);
        }
    }
}
