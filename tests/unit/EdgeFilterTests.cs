using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>The device's filter (and the cloud's replica) against the direct sum, through silent sets and fades.</summary>
public sealed class EdgeFilterTests
{
    private const int Length = 64, Fade = 150, Block = 100;

    // y(n) = a Σ W_v(k) x(n−k) + (1 − a) Σ W_u(k) x(n−k), a = min(1, (m + 1) / F), in double.
    private static double Direct(float[] x, int n, float[] current, float[]? previous, int elapsed)
    {
        double Sum(float[] w)
        {
            double s = 0;
            for (var k = 0; k < w.Length && k <= n; k++) s += (double)w[k] * x[n - k];
            return s;
        }
        if (previous is null) return Sum(current);
        var a = Math.Min(1.0, (elapsed + 1.0) / Fade);
        return a * Sum(current) + (1 - a) * Sum(previous);
    }

    [Fact]
    public void Silent_sets_and_fades_to_and_from_them_play_what_the_direct_sum_gives()
    {
        var random = new Random(7);
        var x = new float[12 * Block];
        for (var i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var zero = new float[Length];
        var taps = new float[Length];
        for (var k = 0; k < Length; k++) taps[k] = (float)(random.NextDouble() - 0.5) / (k + 1);
        // Blocks 0–2 on set 0 (silent); at block 3 fade to `taps`; at block 6 fade back to zeros; at block 9 to taps at once.
        var filter = new EdgeFilter(Length);
        var y = new float[Block];
        var current = zero;
        float[]? previous = null;
        var appliedAt = 0;
        for (var b = 0; b < 12; b++)
        {
            var start = b * Block;
            if (b == 3) { filter.Apply(1, taps, Fade); (previous, current, appliedAt) = (zero, taps, start); }
            if (b == 6) { filter.Apply(2, zero, Fade); (previous, current, appliedAt) = (taps, zero, start); }
            if (b == 9) { filter.Apply(3, taps, 0); (previous, current, appliedAt) = (null, taps, start); }
            filter.Process(x.AsSpan(start, Block), y);
            for (var i = 0; i < Block; i++)
            {
                var n = start + i;
                var elapsed = n - appliedAt;
                var expected = Direct(x, n, current, elapsed < Fade ? previous : null, elapsed);
                Assert.True(Math.Abs(y[i] - expected) < 1e-5, $"sample {n}: {y[i]} against {expected}");
            }
            if (b is 0 or 1 or 2) Assert.All(y, v => Assert.Equal(0f, v));
        }
    }
}
