namespace AncOrleans.Tests;

/// <summary>The retrying allocation check still catches what allocates in every pass, and passes what never does.</summary>
public sealed class ThreadAllocationsTests
{
    private static object? _kept;

    [Fact]
    public void A_pass_that_allocates_every_time_is_measured_three_times_and_fails()
    {
        var counts = ThreadAllocations.Measure(() => _kept = new byte[100]);
        Assert.Equal(3, counts.Count);
        Assert.All(counts, c => Assert.True(c >= 100, $"{c} B"));
        Assert.ThrowsAny<Exception>(() => ThreadAllocations.AssertNone(() => _kept = new byte[100]));
    }

    [Fact]
    public void A_pass_that_allocates_nothing_passes()
    {
        var numbers = new int[64];
        ThreadAllocations.AssertNone(() =>
        {
            for (var i = 0; i < numbers.Length; i++) numbers[i] = i * i;
        });
    }
}
