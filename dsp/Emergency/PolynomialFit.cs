namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Least-squares polynomial fits of degree 1 and 2 on a few dozen points, by the normal equations on centred
/// abscissae (Press et al., "Numerical Recipes", 3rd ed., §15.4): minimise Σ (y_i − Σ_k c_k (x_i − x̄)^k)², i.e.
/// solve (Xᵀ X) c = Xᵀ y. Centring keeps Xᵀ X well conditioned for the short, evenly spaced time spans the
/// emergency patterns fit (≤ 1 s); a degenerate span (all x equal) yields a flat fit. Allocation-free.
/// </summary>
public static class PolynomialFit
{
    /// <summary>y ≈ a + b (x − x̄): returns (x̄, a, b).</summary>
    public static (double Centre, double A, double B) Line(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double centre = Mean(x), my = Mean(y), sxx = 0, sxy = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var dx = x[i] - centre;
            sxx += dx * dx;
            sxy += dx * (y[i] - my);
        }
        return (centre, my, sxx > 0 ? sxy / sxx : 0);
    }

    /// <summary>y ≈ a + b u + c u², u = x − x̄: returns (x̄, a, b, c).</summary>
    public static (double Centre, double A, double B, double C) Quadratic(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var centre = Mean(x);
        double s0 = x.Length, s1 = 0, s2 = 0, s3 = 0, s4 = 0, t0 = 0, t1 = 0, t2 = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var u = x[i] - centre;
            var u2 = u * u;
            s1 += u; s2 += u2; s3 += u2 * u; s4 += u2 * u2;
            t0 += y[i]; t1 += u * y[i]; t2 += u2 * y[i];
        }
        // Cramer's rule on [s0 s1 s2; s1 s2 s3; s2 s3 s4] c = [t0; t1; t2].
        var det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
        if (Math.Abs(det) < 1e-18)
        {
            var (c, a, b) = Line(x, y);
            return (c, a, b, 0);
        }
        var a0 = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det;
        var b0 = (s0 * (t1 * s4 - t2 * s3) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det;
        var c0 = (s0 * (s2 * t2 - s3 * t1) - s1 * (s1 * t2 - t1 * s2) + t0 * (s1 * s3 - s2 * s2)) / det;
        return (centre, a0, b0, c0);
    }

    private static double Mean(ReadOnlySpan<double> v)
    {
        double sum = 0;
        foreach (var x in v) sum += x;
        return v.Length > 0 ? sum / v.Length : 0;
    }
}
