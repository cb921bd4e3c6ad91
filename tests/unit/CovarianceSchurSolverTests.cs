using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>The warm start's O(L²) least-squares pieces against their definitions.</summary>
public sealed class CovarianceSchurSolverTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 9)]
    [InlineData(7, 40)]
    [InlineData(64, 500)]
    [InlineData(300, 2_000)]
    public void Solves_the_covariance_equations_as_written(int order, int samples)
    {
        var random = new Random(order);
        var u = Enumerable.Range(0, samples).Select(_ => random.NextDouble() - 0.5).ToArray();
        var t = Enumerable.Range(0, samples).Select(_ => random.NextDouble() - 0.5).ToArray();
        // R_ij = Σ_m u(m−i) u(m−j) with zero pre-history, p_i = Σ_m t(m) u(m−i), written out.
        double U(int m) => m < 0 ? 0 : u[m];
        var r = new double[order, order];
        var p = new double[order];
        for (var i = 0; i < order; i++)
        {
            for (var m = 0; m < samples; m++) p[i] += t[m] * U(m - i);
            for (var j = 0; j < order; j++)
                for (var m = 0; m < samples; m++) r[i, j] += U(m - i) * U(m - j);
        }
        var load = 1e-3;
        var firstRow = Enumerable.Range(0, order).Select(j => r[0, j]).ToArray();
        var tail = Enumerable.Range(0, order - 1).Select(q => u[samples - 1 - q]).ToArray();
        var x = new double[order];
        Assert.True(CovarianceSchurSolver.TrySolve(firstRow, load, tail, p, x, new double[CovarianceSchurSolver.WorkLength(order)]));
        for (var i = 0; i < order; i++)
        {
            var sum = load * x[i];
            for (var j = 0; j < order; j++) sum += r[i, j] * x[j];
            Assert.Equal(p[i], sum, 1e-8);
        }
    }

    [Fact]
    public void Refuses_what_is_not_positive_definite()
    {
        var x = new double[2];
        var work = new double[CovarianceSchurSolver.WorkLength(2)];
        Assert.False(CovarianceSchurSolver.TrySolve([0.0, 0.0], 0, [0.0], [1.0, 1.0], x, work));
        Assert.False(CovarianceSchurSolver.TrySolve([double.NaN, 0.0], 0, [0.0], [1.0, 1.0], x, work));
        Assert.False(CovarianceSchurSolver.TrySolve([1.0, 2.0], 0, [0.0], [1.0, 1.0], x, work)); // [[1, 2], [2, 1]]
        Assert.False(CovarianceSchurSolver.TrySolve([1.0, 0.0], 0, [1.0], [1.0, 1.0], x, work)); // [[1, 0], [0, 0]]
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(9, 9)]
    [InlineData(37, 1_001)]
    public void Lag_correlations_match_their_sums(int lags, int samples)
    {
        var random = new Random(lags * samples);
        var u = Enumerable.Range(0, samples).Select(_ => random.NextDouble() - 0.5).ToArray();
        var t = Enumerable.Range(0, samples).Select(_ => random.NextDouble() - 0.5).ToArray();
        var r = new double[lags];
        var p = new double[lags];
        LagCorrelation.Compute(u, t, r, p);
        for (var k = 0; k < lags; k++)
        {
            double rk = 0, pk = 0;
            for (var m = 0; m + k < samples; m++)
            {
                rk += u[m] * u[m + k];
                pk += u[m] * t[m + k];
            }
            Assert.Equal(rk, r[k], 1e-10);
            Assert.Equal(pk, p[k], 1e-10);
        }
    }
}
