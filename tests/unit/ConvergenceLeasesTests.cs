using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp;
using AncOrleans.Grains.Sessions;

namespace AncOrleans.Tests;

public sealed class ConvergenceLeasesTests
{
    [Fact]
    public void Leases_run_out_come_back_when_released_and_expire_by_themselves()
    {
        var leases = new ConvergenceLeases(2, TimeSpan.FromMilliseconds(200));
        Assert.True(leases.TryTake(out var a));
        Assert.True(leases.TryTake(out var b));
        Assert.False(leases.TryTake(out _));
        Assert.Equal(2, leases.Held);
        leases.Release(a);
        Assert.False(leases.Holds(a));
        Assert.True(leases.TryTake(out var c));
        Assert.True(leases.Holds(c));
        Thread.Sleep(250); // both expire: a session dropped without releasing gives its lease back
        Assert.False(leases.Holds(b));
        Assert.Equal(0, leases.Held);
        Assert.True(leases.TryTake(out var d));
        leases.Release(b); // an expired lease whose slot is someone else's now releases nothing
        Assert.True(leases.Holds(d));
    }

    [Fact]
    public void Without_a_lease_a_session_follows_its_duty_cycle_and_converges_once_one_is_free()
    {
        // One lease, two hum sessions at duty 0.25 starting together: the first converges at full duty and hands the
        // lease on; the second meanwhile adapts only in its bursts, then takes the lease and converges too.
        var scene = Scenarios.Create("hum", 48_000, 10, 20);
        var leases = new ConvergenceLeases(1, TimeSpan.FromSeconds(30));
        EdgeCanceller Session() => new(new EdgeSettings { SecondaryPath = scene.SecondaryPath, DutyCycle = 0.25, Convergence = leases });
        var (first, second) = (Session(), Session());
        var unlimited = new EdgeCanceller(new EdgeSettings { SecondaryPath = scene.SecondaryPath, DutyCycle = 0.25 });
        const int frame = 4_800;
        double firstConverged = -1, secondConverged = -1;
        long secondAdaptedWhileFirstLeased = 0;
        for (var k = 0; k < 100; k++)
        {
            var x = scene.Reference.AsSpan(k * frame, frame);
            var e = scene.Disturbance.AsSpan(k * frame, frame);
            first.Process(x, e, EdgeTag.Steady(0));
            var before = second.SamplesAdapted;
            second.Process(x, e, EdgeTag.Steady(0));
            unlimited.Process(x, e, EdgeTag.Steady(0));
            if (firstConverged < 0) secondAdaptedWhileFirstLeased += second.SamplesAdapted - before;
            if (first.Converged && firstConverged < 0) firstConverged = (k + 1) * 0.1;
            if (second.Converged && secondConverged < 0) secondConverged = (k + 1) * 0.1;
        }
        Assert.InRange(firstConverged, 0.1, 2);
        Assert.True(secondConverged > firstConverged, $"the second converged at {secondConverged} s, the first at {firstConverged} s");
        Assert.True(second.Converged && first.Converged && unlimited.Converged);
        // While the first held the lease the second adapted at most its duty cycle's share (plus one burst's start).
        Assert.True(secondAdaptedWhileFirstLeased <= 0.25 * firstConverged * 48_000 + frame * 5,
            $"{secondAdaptedWhileFirstLeased} samples adapted in {firstConverged} s");
        Assert.Equal(0, leases.Held); // both converged: the lease is back
    }

    [Fact]
    public void Sessions_share_the_process_s_leases_and_zero_means_no_limit()
    {
        var options = new SessionGrainOptions { EdgeConvergingPerCore = 3, EdgeConvergeSeconds = 7 };
        Assert.Same(options.EdgeConvergence, new SessionGrainOptions { EdgeConvergingPerCore = 3, EdgeConvergeSeconds = 7 }.EdgeConvergence);
        Assert.Equal(3 * Environment.ProcessorCount, options.EdgeConvergence!.Count);
        Assert.Null(new SessionGrainOptions { EdgeConvergingPerCore = 0 }.EdgeConvergence);
    }
}
