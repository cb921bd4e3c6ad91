using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>The edge warm start's solver: A x = b for symmetric positive definite A, and a clear no for the rest.</summary>
public sealed class CholeskySolverTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(300)]
    public void A_positive_definite_system_is_solved(int n)
    {
        var random = new Random(n);
        var m = new double[n * n];
        for (var i = 0; i < m.Length; i++) m[i] = 2 * random.NextDouble() - 1;
        var a = new double[n * n]; // MᵀM + I: symmetric positive definite
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                double sum = i == j ? 1 : 0;
                for (var k = 0; k < n; k++) sum += m[k * n + i] * m[k * n + j];
                a[i * n + j] = sum;
            }
        var b = new double[n];
        for (var i = 0; i < n; i++) b[i] = 2 * random.NextDouble() - 1;
        var x = new double[n];
        Assert.True(CholeskySolver.TrySolve((double[])a.Clone(), n, b, x));
        for (var i = 0; i < n; i++)
        {
            double ax = 0;
            for (var j = 0; j < n; j++) ax += a[i * n + j] * x[j];
            Assert.True(Math.Abs(ax - b[i]) < 1e-9 * (1 + Math.Abs(b[i])), $"row {i}: {ax} against {b[i]}");
        }
    }

    [Fact]
    public void A_matrix_that_is_not_positive_definite_is_refused()
    {
        var x = new double[2];
        Assert.False(CholeskySolver.TrySolve([1, 2, 2, 1], 2, [1.0, 1.0], x)); // eigenvalues 3 and −1
        Assert.False(CholeskySolver.TrySolve([double.NaN, 0, 0, 1], 2, [1.0, 1.0], x));
        Assert.False(CholeskySolver.TrySolve([0, 0, 0, 1], 2, [1.0, 1.0], x));
    }
}
