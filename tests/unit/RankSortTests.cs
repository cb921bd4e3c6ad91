using AncOrleans.Dsp.Classification;

namespace AncOrleans.Tests;

/// <summary>
/// The spectral-contrast rank sort (<see cref="RankSort"/>) against a plain sort: the same floats in the same order, bit
/// for bit, whatever the length (whole vectors and ragged tails) and however many ties.
/// </summary>
public sealed class RankSortTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(26)]
    [InlineData(51)]
    [InlineData(122)]
    [InlineData(257)]
    public void Sorts_like_a_plain_sort_bit_for_bit(int length)
    {
        if (!RankSort.IsAccelerated) return; // the features keep their selection path there
        var random = new Random(length);
        var scratch = new float[RankSort.PaddedLength(length)];
        for (var trial = 0; trial < 200; trial++)
        {
            // every third trial draws from a few levels (many ties), the others from a wide range in dB
            var values = Enumerable.Range(0, length)
                .Select(_ => trial % 3 == 0 ? random.Next(4) - 60f : (float)(120 * random.NextDouble() - 100))
                .ToArray();
            var expected = values.ToArray();
            Array.Sort(expected);
            var sorted = new float[length];
            RankSort.Sort(values, scratch, sorted);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), sorted.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void Leaves_its_input_as_it_is_and_checks_its_buffers()
    {
        if (!RankSort.IsAccelerated) return;
        float[] values = [3, -1, 2, 2, 0];
        var copy = values.ToArray();
        var sorted = new float[5];
        RankSort.Sort(values, new float[8], sorted);
        Assert.Equal(copy, values);
        Assert.Equal([-1f, 0, 2, 2, 3], sorted);
        Assert.Throws<ArgumentException>(() => RankSort.Sort(values, new float[5], sorted));
        Assert.Throws<ArgumentException>(() => RankSort.Sort(values, new float[8], new float[4]));
    }
}
