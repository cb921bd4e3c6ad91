using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>The edge filter's block FIR: its definition, and the same numbers whatever the blocks.</summary>
public sealed class BlockFirTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(16, 64)]
    [InlineData(512, 100)]
    [InlineData(512, 4_800)]
    public void Outputs_are_the_taps_fused_multiply_adds_in_order(int taps, int outputs)
    {
        var random = new Random(taps + outputs);
        var h = Enumerable.Range(0, taps).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var line = Enumerable.Range(0, taps - 1 + outputs).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var y = new float[outputs];
        BlockFir.Convolve(line, h, y);
        for (var i = 0; i < outputs; i++)
        {
            var sum = 0f;
            for (var j = 0; j < taps; j++) sum = MathF.FusedMultiplyAdd(h[j], line[i + j], sum);
            Assert.Equal(sum, y[i]);
        }
        Assert.Throws<ArgumentException>(() => BlockFir.Convolve(line.AsSpan(1), h, y));
    }

    [Fact]
    public void The_edge_filter_gives_the_same_output_in_any_blocks_and_through_a_fade()
    {
        var random = new Random(7);
        var x = Enumerable.Range(0, 6_000).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var first = Enumerable.Range(0, 512).Select(_ => (float)(random.NextDouble() - 0.5) / 16).ToArray();
        var second = Enumerable.Range(0, 512).Select(_ => (float)(random.NextDouble() - 0.5) / 16).ToArray();
        float[] Run(int[] blocks)
        {
            var filter = new EdgeFilter(512);
            filter.Apply(1, first, 0);
            var y = new float[x.Length];
            var at = 0;
            for (var b = 0; at < x.Length; b++)
            {
                var n = Math.Min(blocks[b % blocks.Length], x.Length - at);
                if (at < 1_440 && at + n > 1_440) n = 1_440 - at; // a set is applied between blocks: one ends at 1 440
                if (at == 1_440) filter.Apply(2, second, 960);    // a fade over 960 samples, across blocks
                filter.Process(x.AsSpan(at, n), y.AsSpan(at, n));
                at += n;
            }
            return y;
        }
        var one = Run([480]);
        Assert.Equal(one, Run([1, 63, 480, 17, 4_800]));
        // Against the definition, sample by sample, with the fade's weights.
        var reference = new float[x.Length];
        var applied = 0;
        for (var n = 0; n < x.Length; n++)
        {
            if (n == 1_440) applied = n;
            float Filter(float[] w)
            {
                var sum = 0f;
                for (var j = 0; j < 512; j++) sum = MathF.FusedMultiplyAdd(w[511 - j], n - 511 + j >= 0 ? x[n - 511 + j] : 0f, sum);
                return sum;
            }
            if (n < 1_440) reference[n] = Filter(first);
            else
            {
                var m = n - applied + 1;
                var a = Math.Min(1f, (float)m / 960);
                reference[n] = m <= 960 ? a * Filter(second) + (1 - a) * Filter(first) : Filter(second);
            }
        }
        for (var n = 0; n < x.Length; n++) Assert.Equal(reference[n], one[n]);
    }
}
