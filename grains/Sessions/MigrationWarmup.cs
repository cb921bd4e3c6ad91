using System.Diagnostics;
using AncOrleans.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Moves a warm-up session from this silo to another and back, once this silo is active, so the code of a migration
/// (Orleans' dehydration, the transfer, rehydration and directory hand-over; the session's own state bridge and filter
/// restore) is compiled on both silos before a SIGTERM needs it. Measured in one process (tests/cluster
/// <c>MigrationStallProbe</c>): the first migration a process makes holds the session's frames ~100 ms — mostly the
/// JIT — the next one ~7 ms; the device's deadline is 40 ms. A silo that is alone waits for another to become active;
/// the new silo's round trip warms the other silo too. Runs in the background after start-up (the silo serves
/// meanwhile), when <see cref="SessionGrainOptions.MigrationWarmup"/> and <see cref="SessionGrainOptions.MigrateOnShutdown"/> are on.
/// A failure is logged, nothing else.
/// </summary>
internal sealed class MigrationWarmup(IGrainFactory grains, IClusterMembershipService membership, ILocalSiloDetails silo,
    IOptions<SessionGrainOptions> options, ILogger<MigrationWarmup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int RoundTrips = 2;
    private const int FramesPerStop = 5;
    // A move the target could not take in time (a silo still in its own start-up warm-up) ends with the session
    // re-activated where it was, from its checkpoint (seen on a fresh two-silo cluster, 2026-12-02): after RetryAfter
    // without arriving the move is asked again, until MoveTimeout.
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromSeconds(30), RetryAfter = TimeSpan.FromSeconds(2);
    // A stop while the warm-up runs (a SIGTERM right after the silo joined) cancels it and waits for it at most this
    // long: a grain call it had in flight to a silo that is itself stopping could otherwise hold the silo's shutdown
    // for Orleans' response timeout (30 s, past ECS's stop timeout; seen once in CI, 2026-11-30).
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(2);
    private readonly CancellationTokenSource _stopping = new();
    private Task _run = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(MigrationWarmup), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken _)
    {
        if (options.Value.MigrationWarmup && options.Value.MigrateOnShutdown) _run = Task.Run(() => RunAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken _)
    {
        await _stopping.CancelAsync();
        await _run.WaitAsync(StopWait).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task RunAsync(CancellationToken cancel)
    {
        var self = silo.SiloAddress;
        try
        {
            var other = await OtherActiveSiloAsync(self, cancel);
            var session = grains.GetGrain<ISessionGrain>($"warmup-move-{Guid.NewGuid():N}");
            var frame = 0;
            await PlacedOnAsync(self, () => session.ConfigureAsync(new SessionConfig(SampleRate: WarmupAudio.Rate, FrameSamples: WarmupAudio.FrameSamples))).WaitAsync(cancel); // activated here
            for (var end = frame + FramesPerStop; frame < end; frame++) await session.ProcessAsync(WarmupAudio.Frame(frame)).WaitAsync(cancel);
            var moves = new List<double>();
            for (var trip = 0; trip < RoundTrips && !cancel.IsCancellationRequested; trip++)
            {
                foreach (var target in new[] { other, self })
                {
                    moves.Add(await MoveAsync(session, target, cancel));
                    for (var end = frame + FramesPerStop; frame < end; frame++) await session.ProcessAsync(WarmupAudio.Frame(frame)).WaitAsync(cancel);
                }
            }
            await session.EndAsync().WaitAsync(cancel);
            logger.LogInformation("Migration warm-up with {Other}: {Moves} ms per move", other, string.Join(", ", moves.Select(m => m.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture))));
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Migration warm-up failed; this silo's first session moves may hold frames longer");
        }
    }

    /// <summary>Moves <paramref name="session"/> to <paramref name="target"/>; the time until it answers there.</summary>
    private static async Task<double> MoveAsync(ISessionGrain session, SiloAddress target, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var where = target.ToString();
        for (var attempt = 1; ; attempt++)
        {
            await PlacedOnAsync(target, () => session.Cast<IGrainManagementExtension>().MigrateOnIdle().AsTask()).WaitAsync(cancel);
            var asked = Stopwatch.StartNew();
            while (asked.Elapsed < RetryAfter)
            {
                if ((await session.GetOverviewAsync().WaitAsync(cancel)).Silo.Contains(where, StringComparison.Ordinal)) return clock.Elapsed.TotalMilliseconds;
                await Task.Delay(5, cancel);
            }
            if (clock.Elapsed > MoveTimeout)
                throw new TimeoutException($"the warm-up session did not reach {target} in {MoveTimeout.TotalSeconds:0} s ({attempt} attempts)");
        }
    }

    /// <summary>Runs <paramref name="call"/> with a placement hint for <paramref name="silo"/> (where an activation or a move goes).</summary>
    private static async Task PlacedOnAsync(SiloAddress silo, Func<Task> call)
    {
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo);
        try
        {
            await call();
        }
        finally
        {
            RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        }
    }

    private async Task<SiloAddress> OtherActiveSiloAsync(SiloAddress self, CancellationToken cancel)
    {
        if (MigrationTarget.Other(membership.CurrentSnapshot, self, Random.Shared) is { } now) return now;
        await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(cancel))
            if (MigrationTarget.Other(snapshot, self, Random.Shared) is { } other) return other;
        throw new OperationCanceledException(cancel);
    }
}
