using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace AncOrleans.Acoustics.Evaluation;

/// <summary>
/// The reference bound: the fixed least-squares (Wiener) filter of the same length L and the same delay D,
/// fitted offline on the whole signal (the covariance method):
/// <code>
///   w* = argmin_w Σ_n (t(n) − wᵀu(n−D))²  =  R⁻¹ p,
///   R_ij = Σ_n u(n−D−i) u(n−D−j),   p_i = Σ_n t(n) u(n−D−i)
/// </code>
/// R is built exactly in O(NL + L²) from its first row by the shift recursion
/// R_{i+1,j+1} = R_{i,j} − u(N−1−D−i) u(N−1−D−j) (zero pre-history), then solved by Cholesky (MathNet)
/// with a 10⁻⁹·tr(R)/L diagonal load. No adaptive filter of that shape can beat it on a stationary signal;
/// an adaptive one can on a drifting one, because it re-fits as it goes.
/// </summary>
public static class WienerBound
{
    /// <summary>Fits w* and returns the residual t − w*ᵀu(n−D) over [from, N).</summary>
    public static float[] Residual(ReadOnlySpan<float> regressor, ReadOnlySpan<float> target, int length, int delay, int from)
    {
        var n = target.Length;
        if (regressor.Length != n) throw new ArgumentException("Regressor and target lengths differ.");
        // u_D(n) = u(n−D)
        var u = new double[n];
        var t = new double[n];
        for (var m = delay; m < n; m++) u[m] = regressor[m - delay];
        for (var m = 0; m < n; m++) t[m] = target[m];

        var r = Matrix<double>.Build.Dense(length, length);
        var p = Vector<double>.Build.Dense(length);
        for (var lag = 0; lag < length; lag++)
        {
            var span = n - lag;
            if (span <= 0) break;
            r[0, lag] = TensorPrimitives.Dot(u.AsSpan(lag, span), u.AsSpan(0, span));
            p[lag] = TensorPrimitives.Dot(t.AsSpan(lag, span), u.AsSpan(0, span));
        }
        for (var j = 1; j < length; j++) r[j, 0] = r[0, j];
        for (var i = 0; i + 1 < length; i++)
            for (var j = i; j + 1 < length; j++)
            {
                var a = n - 1 - i >= 0 ? u[n - 1 - i] : 0;
                var b = n - 1 - j >= 0 ? u[n - 1 - j] : 0;
                var value = r[i, j] - a * b;
                r[i + 1, j + 1] = value;
                r[j + 1, i + 1] = value;
            }
        var w = Solve(r, p);

        var residual = new float[n - from];
        for (var m = from; m < n; m++)
        {
            double estimate = 0;
            for (var k = 0; k < length && m - k >= 0; k++) estimate += w[k] * u[m - k];
            residual[m - from] = (float)(target[m] - estimate);
        }
        return residual;
    }

    /// <summary>Cholesky with a diagonal load of 10⁻⁹·tr(R)/L, raised ×100 while R is numerically not positive definite.</summary>
    private static Vector<double> Solve(Matrix<double> r, Vector<double> p)
    {
        var baseLoad = r.Trace() / r.RowCount + 1e-30;
        for (var relative = 1e-9; ; relative *= 100)
        {
            var loaded = r.Clone();
            for (var i = 0; i < r.RowCount; i++) loaded[i, i] += relative * baseLoad;
            try
            {
                return loaded.Cholesky().Solve(p);
            }
            catch (ArgumentException) when (relative < 1e-2)
            {
            }
        }
    }
}
