using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>
/// <see cref="RealFft"/> gives the bins in natural order on both its paths (the SIMD one with its reordering, and the
/// radix-2 one), against the DFT's definition in double precision; with a window, zero-padded.
/// </summary>
public sealed class RealFftTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(32)]
    [InlineData(256)]
    [InlineData(512)]
    [InlineData(2048)]
    public void Both_paths_give_the_DFT_in_natural_order(int size)
    {
        var random = new Random(size);
        var x = new float[size];
        for (var n = 0; n < size; n++) x[n] = (float)(2 * random.NextDouble() - 1);
        foreach (var fft in new[] { new RealFft(size), new RealFft(size, natural: true) })
        {
            var (re, im) = (new float[size / 2 + 1], new float[size / 2 + 1]);
            fft.Forward(x, re, im);
            AssertDft(x, re, im, size);
        }
    }

    [Theory]
    [InlineData(256, 192)]
    [InlineData(512, 512)]
    [InlineData(64, 33)]
    public void A_windowed_frame_is_zero_padded(int size, int length)
    {
        var random = new Random(length);
        var x = new float[length];
        var window = new float[length];
        for (var n = 0; n < length; n++)
        {
            x[n] = (float)(2 * random.NextDouble() - 1);
            window[n] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * n / length));
        }
        var windowed = new float[size];
        for (var n = 0; n < length; n++) windowed[n] = x[n] * window[n];
        foreach (var fft in new[] { new RealFft(size), new RealFft(size, natural: true) })
        {
            var (re, im) = (new float[size / 2 + 1], new float[size / 2 + 1]);
            fft.Forward(x, window, re, im);
            AssertDft(windowed, re, im, size);
        }
    }

    private static void AssertDft(float[] x, float[] re, float[] im, int size)
    {
        var tolerance = 2e-6 * size;
        for (var k = 0; k <= size / 2; k++)
        {
            double r = 0, i = 0;
            for (var n = 0; n < size; n++)
            {
                var angle = -2 * Math.PI * k * n / size;
                r += x[n] * Math.Cos(angle);
                i += x[n] * Math.Sin(angle);
            }
            Assert.True(Math.Abs(re[k] - r) < tolerance && Math.Abs(im[k] - i) < tolerance, $"bin {k}: {re[k]} + {im[k]}j against {r} + {i}j");
        }
    }
}
