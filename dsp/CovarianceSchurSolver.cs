using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// Solves (R + λI) x = p for the covariance matrix of a pre-windowed record u (n × n, R_ij = Σ_{m&lt;N} u(m−i) u(m−j),
/// u before the record = 0) in O(n²), by the generalized Schur algorithm on R's displacement structure (Morf, Dickinson,
/// Kailath &amp; Vieira, "Efficient solution of covariance equations for linear prediction", IEEE Trans. ASSP 1977;
/// Kailath &amp; Sayed, "Displacement structure: theory and applications", SIAM Review 1995, §4). With Z the down-shift,
/// R's shift recursion R_{i+1,j+1} = R_ij − u(N−1−i) u(N−1−j) makes its displacement rank 3:
/// <code>
///   (R + λI) − Z (R + λI) Zᵀ = G J Gᵀ,  J = diag(1, −1, −1),  G = [g₁ g₂ g₃]:
///   g₁ = (r₀ + λ, r₁, …, r_{n−1}) / √(r₀ + λ),   g₂ = (0, r₁, …, r_{n−1}) / √(r₀ + λ),   g₃ = (0, u(N−1), …, u(N−n+1))
/// </code>
/// (r = R's first row). Step k turns the generator's row k into (δ, 0, 0) by two hyperbolic rotations of g₁ against g₂
/// and g₃ (each J-unitary: ρ = y_k / x_k, c = √(1 − ρ²), x ← (x − ρ y)/c, then y ← c y − ρ x — the "mixed" form of
/// Bojanczyk, Brent, Van Dooren &amp; de Hoog, SIAM J. Sci. Stat. Comput. 1987, stable where the plain form is not);
/// g₁ is then column k of the Cholesky factor (R + λI = Σ_k g₁g₁ᵀ), and Z g₁, g₂, g₃ generate the Schur complement.
/// The factor's columns are kept packed, then L y = p and Lᵀ x = y are solved. ≈ 6n² + n² multiply-adds against
/// Cholesky's n³/6 (0.45 M + 22 M at n = 512); the same solution up to rounding.
/// Guards: a rotation with |ρ| ≥ 1, or a pivot that is not positive and finite, means R + λI is not positive definite
/// numerically: the call returns false (the caller raises λ). Work: <see cref="WorkLength"/> doubles from the caller.
/// </summary>
public static class CovarianceSchurSolver
{
    /// <summary>Doubles of work an order-n solve needs: the three generator columns and the packed factor.</summary>
    public static int WorkLength(int n) => 3 * n + n * (n + 1) / 2;

    /// <param name="firstRow">R's first row r₀ … r_{n−1} (without the load).</param>
    /// <param name="load">λ, added to R's diagonal.</param>
    /// <param name="tail">The record's last n − 1 samples, newest first: u(N−1), u(N−2), …, u(N−n+1).</param>
    public static bool TrySolve(ReadOnlySpan<double> firstRow, double load, ReadOnlySpan<double> tail, ReadOnlySpan<double> p, Span<double> x, Span<double> work)
    {
        var n = firstRow.Length;
        if (n == 0 || tail.Length < n - 1 || p.Length < n || x.Length < n || work.Length < WorkLength(n))
            throw new ArgumentException($"an order-{n} solve needs {n - 1} tail samples, {n} right-hand-side and solution entries and {WorkLength(n)} doubles of work.");
        var pivot = firstRow[0] + load;
        if (!(pivot > 0) || !double.IsFinite(pivot)) return false;
        var g1 = work[..n];
        var g2 = work.Slice(n, n);
        var g3 = work.Slice(2 * n, n);
        var factor = work.Slice(3 * n, n * (n + 1) / 2);
        var scale = 1 / Math.Sqrt(pivot);
        g1[0] = pivot * scale;
        g2[0] = g3[0] = 0;
        for (var i = 1; i < n; i++)
        {
            g1[i] = g2[i] = firstRow[i] * scale;
            g3[i] = tail[i - 1];
        }
        // Step k: g₁'s rows k … n−1 are g1[0 .. n−k) (each step's down-shift moves the window, not the data).
        for (int k = 0, offset = 0; k < n; offset += n - k, k++)
        {
            var column = g1[..(n - k)];
            if (!Rotate(column, g2[k..]) || !Rotate(column, g3[k..])) return false;
            column.CopyTo(factor.Slice(offset, n - k));
        }
        // L y = p (column by column), then Lᵀ x = y (row k of Lᵀ is column k of L).
        var y = g2; // free now
        p[..n].CopyTo(y);
        for (int k = 0, offset = 0; k < n; offset += n - k, k++)
        {
            var yk = y[k] /= factor[offset];
            if (k + 1 < n) TensorPrimitives.MultiplyAdd(factor.Slice(offset + 1, n - k - 1), -yk, y[(k + 1)..], y[(k + 1)..]);
        }
        for (var k = n - 1; k >= 0; k--)
        {
            var offset = k * n - k * (k - 1) / 2;
            x[k] = (y[k] - TensorPrimitives.Dot(factor.Slice(offset + 1, n - k - 1), x[(k + 1)..n])) / factor[offset];
        }
        return true;
    }

    // Zeroes y[0] against x[0] (x a +1 column, y a −1 column of J); false if |y[0]| ≥ x[0] (not positive definite).
    private static bool Rotate(Span<double> x, Span<double> y)
    {
        var (top, other) = (x[0], y[0]);
        if (!(top > 0) || !double.IsFinite(top)) return false;
        if (other == 0) return true;
        var rho = other / top;
        if (!(Math.Abs(rho) < 1)) return false;
        var c = Math.Sqrt((1 - rho) * (1 + rho));
        var inverse = 1 / c;
        for (var i = 0; i < x.Length; i++)
        {
            var rotated = (x[i] - rho * y[i]) * inverse;
            y[i] = c * y[i] - rho * rotated;
            x[i] = rotated;
        }
        y[0] = 0;
        return x[0] > 0 && double.IsFinite(x[0]);
    }
}
