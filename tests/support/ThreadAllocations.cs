namespace AncOrleans.Tests;

/// <summary>
/// "This code allocates nothing", measured with the runtime's per-thread count. That count now and then reports a few
/// KB the code never allocated: dotnet/runtime's own test of <see cref="GC.GetAllocatedBytesForCurrentThread"/> fails
/// the same way under parallel tests (#13502, #63487; ≈ 6 KB too many), and so did ours once in CI (6,896 B over 100
/// canceller frames, 0 in every other run). A real allocation repeats in every pass; such a one-off does not. So the
/// pass runs up to three times and one of them must count 0.
/// </summary>
public static class ThreadAllocations
{
    /// <summary>Bytes the current thread allocated in each pass run (stops at the first pass that allocated nothing).</summary>
    public static IReadOnlyList<long> Measure(Action pass, int passes = 3)
    {
        var counts = new List<long>();
        for (var i = 0; i < passes; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            pass();
            counts.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (counts[^1] == 0) break;
        }
        return counts;
    }

    /// <summary>Fails unless one of up to three runs of <paramref name="pass"/> allocated nothing on this thread.</summary>
    public static void AssertNone(Action pass)
    {
        var counts = Measure(pass);
        if (counts[^1] != 0) Xunit.Assert.Fail($"bytes allocated on this thread in each of {counts.Count} passes: {string.Join(", ", counts)}");
    }
}
