using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>
/// <see cref="SessionArray"/>: long-lived stream state on the pinned object heap, which the collector counts as
/// generation 2 from the start (nothing to copy through gen 0 and gen 1), zeroed like <c>new T[n]</c>.
/// </summary>
public sealed class SessionArrayTests
{
    [Fact]
    public void An_array_is_zeroed_and_in_generation_2_from_the_start()
    {
        var floats = SessionArray.Of<float>(4096);
        Assert.Equal(4096, floats.Length);
        Assert.All(floats, value => Assert.Equal(0f, value));
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(floats));
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(SessionArray.Of<HarmonicTrackerProbe>(3)));
        Assert.Empty(SessionArray.Of<double>(0));
    }

    [Fact]
    public void Growing_keeps_the_contents_and_the_pinned_heap()
    {
        var array = SessionArray.Of<float>(3);
        array[2] = 5f;
        SessionArray.Grow(ref array, 2);
        Assert.Equal(3, array.Length);
        SessionArray.Grow(ref array, 8);
        Assert.Equal(8, array.Length);
        Assert.Equal([0f, 0f, 5f, 0f, 0f, 0f, 0f, 0f], array);
        Assert.Equal(GC.MaxGeneration, GC.GetGeneration(array));
    }

    private readonly record struct HarmonicTrackerProbe(double A, double B);
}
