using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>The block NLMS's FFT keeps its spectra in bit-reversed bin order: the same bins as <see cref="RealFft"/>, only moved.</summary>
public sealed class BinwiseRealFftTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(64)]
    [InlineData(256)]
    [InlineData(2048)]
    public void Holds_the_real_FFT_bins_at_its_positions_and_inverts_exactly(int size)
    {
        var random = new Random(size);
        var x = new float[size];
        for (var n = 0; n < size; n++) x[n] = (float)(2 * random.NextDouble() - 1);
        var natural = new RealFft(size, natural: true); // the radix-2 path (RealFft itself runs on this FFT now)
        var binwise = new BinwiseRealFft(size);
        var (aRe, aIm, bRe, bIm) = (new float[size / 2 + 1], new float[size / 2 + 1], new float[size / 2 + 1], new float[size / 2 + 1]);
        natural.Forward(x, aRe, aIm);
        binwise.Forward(x, bRe, bIm);
        var tolerance = 2e-6f * size;
        Assert.Equal(Enumerable.Range(0, size / 2 + 1), binwise.BinOfPosition.ToArray().Order());
        for (var p = 0; p <= size / 2; p++)
        {
            var k = binwise.BinOfPosition[p];
            Assert.True(Math.Abs(bRe[p] - aRe[k]) < tolerance && Math.Abs(bIm[p] - aIm[k]) < tolerance, $"position {p} (bin {k})");
        }
        var back = new float[size];
        binwise.Inverse(bRe, bIm, back);
        for (var n = 0; n < size; n++) Assert.True(Math.Abs(back[n] - x[n]) < 1e-6f, $"sample {n}: {back[n]} vs {x[n]}");
    }
}
