using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// Solves A x = b for a symmetric positive definite A (n × n, row-major, double) by the Cholesky–Crout
/// factorisation A = G Gᵀ (Golub &amp; Van Loan, "Matrix Computations", 4th ed., Alg. 4.2.1, the inner-product
/// form), in place in the lower triangle:
/// <code>
///   G_jj = √(A_jj − Σ_{k&lt;j} G_jk²),    G_ij = (A_ij − Σ_{k&lt;j} G_ik G_jk) / G_jj   (i &gt; j)
///   G y = b (forward),   Gᵀ x = y (backward)
/// </code>
/// Every inner product runs over two contiguous rows (SIMD dot products), so a 512 × 512 system costs a few
/// milliseconds where MathNet's managed dense Cholesky took ≈ 29 ms (the edge warm start's solve: docs/measurements/
/// benchmarks.md, "Seventh session"). Guards: a pivot that is not positive and finite means A is not positive definite
/// (numerically): the call returns false and leaves A partly overwritten, so the caller factors a fresh copy.
/// </summary>
public static class CholeskySolver
{
    /// <summary>Factors <paramref name="a"/> in place and writes the solution into <paramref name="x"/>; false if A is not positive definite.</summary>
    public static bool TrySolve(double[] a, int n, ReadOnlySpan<double> b, Span<double> x)
    {
        if (a.Length < n * n || b.Length < n || x.Length < n) throw new ArgumentException($"a {n} × {n} system needs {n * n} matrix and {n} vector entries.");
        var span = a.AsSpan(0, n * n);
        for (var j = 0; j < n; j++)
        {
            var rowJ = span.Slice(j * n, j);
            var pivot = span[j * n + j] - TensorPrimitives.Dot(rowJ, rowJ);
            if (!(pivot > 0) || !double.IsFinite(pivot)) return false;
            var g = Math.Sqrt(pivot);
            span[j * n + j] = g;
            var inverse = 1 / g;
            for (var i = j + 1; i < n; i++)
                span[i * n + j] = (span[i * n + j] - TensorPrimitives.Dot(span.Slice(i * n, j), rowJ)) * inverse;
        }
        // G y = b: row i of G against y's first i entries.
        for (var i = 0; i < n; i++)
            x[i] = (b[i] - TensorPrimitives.Dot(span.Slice(i * n, i), x[..i])) / span[i * n + i];
        // Gᵀ x = y: column i of G below the diagonal, walked in rows (Gᵀ's row i is G's column i).
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = x[i];
            for (var k = i + 1; k < n; k++) sum -= span[k * n + i] * x[k];
            x[i] = sum / span[i * n + i];
        }
        return true;
    }
}
