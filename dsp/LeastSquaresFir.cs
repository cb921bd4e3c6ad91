using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// The least-squares FIR filter of L taps at zero delay on a finite record (the covariance method, zero pre-history):
/// <code>
///   w = argmin_w Σ_n (t(n) − Σ_k w(k) u(n−k))²  =  R⁻¹ p,
///   R_ij = Σ_n u(n−i) u(n−j),   p_i = Σ_n t(n) u(n−i)
/// </code>
/// R is built exactly in O(NL + L²) from its first row by the shift recursion R_{i+1,j+1} = R_{i,j} − u(N−1−i) u(N−1−j),
/// then solved by Cholesky (<see cref="CholeskySolver"/>) with a diagonal load of 10⁻⁶·tr(R)/L (raised ×100 while R is
/// not positive definite). Used once per session by edge mode's warm start (<see cref="EdgeCanceller"/>); it allocates
/// two L×L matrices (R and its loaded, factored copy).
/// Returns null when the record carries no energy or the solution is not finite.
/// </summary>
public static class LeastSquaresFir
{
    public static float[]? Fit(ReadOnlySpan<float> regressor, ReadOnlySpan<float> target, int length)
    {
        var n = target.Length;
        if (regressor.Length != n) throw new ArgumentException("Regressor and target lengths differ.");
        if (length < 1 || length > n) throw new ArgumentException($"length {length} must be 1–{n}.");
        var u = new double[n];
        var t = new double[n];
        for (var m = 0; m < n; m++)
        {
            u[m] = regressor[m];
            t[m] = target[m];
        }
        var r = new double[length * length]; // row-major
        var p = new double[length];
        for (var lag = 0; lag < length; lag++)
        {
            var span = n - lag;
            r[lag] = TensorPrimitives.Dot(u.AsSpan(lag, span), u.AsSpan(0, span));
            p[lag] = TensorPrimitives.Dot(t.AsSpan(lag, span), u.AsSpan(0, span));
        }
        for (var j = 1; j < length; j++) r[j * length] = r[j];
        for (var i = 0; i + 1 < length; i++)
            for (var j = i; j + 1 < length; j++)
            {
                var value = r[i * length + j] - u[n - 1 - i] * u[n - 1 - j];
                r[(i + 1) * length + j + 1] = value;
                r[(j + 1) * length + i + 1] = value;
            }
        double trace = 0;
        for (var i = 0; i < length; i++) trace += r[i * length + i];
        trace /= length;
        if (!(trace > 0) || !double.IsFinite(trace)) return null;
        var loaded = new double[r.Length];
        var w = new double[length];
        for (var relative = 1e-6; relative <= 1; relative *= 100)
        {
            r.CopyTo(loaded, 0);
            for (var i = 0; i < length; i++) loaded[i * length + i] += relative * trace;
            if (!CholeskySolver.TrySolve(loaded, length, p, w)) continue;
            var taps = new float[length];
            for (var k = 0; k < length; k++) taps[k] = (float)w[k];
            foreach (var tap in taps)
                if (!float.IsFinite(tap)) return null;
            return taps;
        }
        return null;
    }
}
