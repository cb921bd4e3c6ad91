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

    private readonly record struct HarmonicTrackerProbe(double A, double B);
}
