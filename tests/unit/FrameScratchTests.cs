using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>A thread's frame scratch: zeroed, disjoint spans; nested scopes; growth that keeps earlier spans valid.</summary>
public sealed class FrameScratchTests
{
    [Fact]
    public void Spans_are_zeroed_disjoint_and_given_back_when_the_scope_ends()
    {
        var before = FrameScratch.InUse;
        using (var scratch = FrameScratch.Open())
        {
            var a = scratch.Floats(100);
            var b = scratch.Floats(50);
            Assert.True(a.ToArray().All(v => v == 0) && b.ToArray().All(v => v == 0));
            a.Fill(1);
            b.Fill(2);
            Assert.True(a.ToArray().All(v => v == 1), "writing b changed a");
            Assert.Equal(before + 150, FrameScratch.InUse);
        }
        Assert.Equal(before, FrameScratch.InUse);
        using (var again = FrameScratch.Open())
        {
            // The next frame (another session's, say) gets the same memory, zeroed: nothing of the last one shows.
            var reused = again.Floats(150);
            Assert.True(reused.ToArray().All(v => v == 0));
        }
    }

    [Fact]
    public void Nested_scopes_end_in_order()
    {
        using var outer = FrameScratch.Open();
        var kept = outer.Floats(10);
        kept.Fill(7);
        using (var inner = FrameScratch.Open())
        {
            inner.Floats(1_000).Fill(9);
        }
        var next = outer.Floats(10);
        Assert.True(kept.ToArray().All(v => v == 7), "the inner scope overwrote the outer one's span");
        Assert.True(next.ToArray().All(v => v == 0));
    }

    [Fact]
    public void Growing_keeps_the_spans_already_handed_out()
    {
        using var scratch = FrameScratch.Open();
        var small = scratch.Floats(1_000);
        small.Fill(3);
        var large = scratch.Floats(1 << 20); // past any buffer the thread had: a new, larger one
        large.Fill(4);
        Assert.True(small.ToArray().All(v => v == 3));
        Assert.Equal(1 << 20, large.Length);
    }

    [Fact]
    public void Each_thread_has_its_own()
    {
        using var scratch = FrameScratch.Open();
        var mine = scratch.Floats(256);
        mine.Fill(5);
        var other = -1;
        var thread = new Thread(() =>
        {
            using var theirs = FrameScratch.Open();
            theirs.Floats(256).Fill(6);
            other = FrameScratch.InUse;
        });
        thread.Start();
        thread.Join();
        Assert.Equal(256, other);
        Assert.True(mine.ToArray().All(v => v == 5));
    }
}
