using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace AncOrleans.Dsp;

/// <summary>
/// The least-squares FIR filter of L taps at zero delay on a finite record (the covariance method, zero pre-history):
/// <code>
///   w = argmin_w Σ_n (t(n) − Σ_k w(k) u(n−k))²  =  R⁻¹ p,
///   R_ij = Σ_n u(n−i) u(n−j),   p_i = Σ_n t(n) u(n−i)
/// </code>
/// R is built exactly in O(NL + L²) from its first row by the shift recursion R_{i+1,j+1} = R_{i,j} − u(N−1−i) u(N−1−j),
/// then solved by Cholesky with a diagonal load of 10⁻⁶·tr(R)/L (raised ×100 while R is not positive definite).
/// Used once per session by edge mode's warm start (<see cref="EdgeCanceller"/>); it allocates an L×L matrix.
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
        var r = Matrix<double>.Build.Dense(length, length);
        var p = Vector<double>.Build.Dense(length);
        for (var lag = 0; lag < length; lag++)
        {
            var span = n - lag;
            r[0, lag] = TensorPrimitives.Dot(u.AsSpan(lag, span), u.AsSpan(0, span));
            p[lag] = TensorPrimitives.Dot(t.AsSpan(lag, span), u.AsSpan(0, span));
        }
        for (var j = 1; j < length; j++) r[j, 0] = r[0, j];
        for (var i = 0; i + 1 < length; i++)
            for (var j = i; j + 1 < length; j++)
            {
                var value = r[i, j] - u[n - 1 - i] * u[n - 1 - j];
                r[i + 1, j + 1] = value;
                r[j + 1, i + 1] = value;
            }
        var trace = r.Trace() / length;
        if (!(trace > 0) || !double.IsFinite(trace)) return null;
        for (var relative = 1e-6; relative <= 1; relative *= 100)
        {
            var loaded = r.Clone();
            for (var i = 0; i < length; i++) loaded[i, i] += relative * trace;
            try
            {
                var w = loaded.Cholesky().Solve(p);
                var taps = new float[length];
                for (var k = 0; k < length; k++) taps[k] = (float)w[k];
                foreach (var tap in taps)
                    if (!float.IsFinite(tap)) return null;
                return taps;
            }
            catch (ArgumentException)
            {
            }
        }
        return null;
    }
}
