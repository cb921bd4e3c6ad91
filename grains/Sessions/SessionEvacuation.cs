using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// A graceful shutdown (SIGTERM, scale-in) moves the silo's sessions away <em>before</em> the silo announces that it is
/// leaving: the <see cref="ServiceLifecycleStage.Active"/> stage is the first to stop, while every silo (this one
/// included) is still active and the grain directory is whole. Each session migrates to a random other active silo
/// with its filter in memory (<see cref="MigrationTarget"/>); at most <see cref="Parallel"/> at a time, so a
/// silo's worth of sessions does not land on the others in one instant. Sessions that arrive afterwards, or that
/// could not move, are migrated by their own deactivation when Orleans deactivates the silo's grains.
/// </summary>
internal sealed class SessionEvacuation(LocalSessions sessions, IClusterMembershipService membership, ILocalSiloDetails silo,
    IOptions<SessionGrainOptions> options, ILogger<SessionEvacuation> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Parallel = 8;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionEvacuation), ServiceLifecycleStage.Active, _ => Task.CompletedTask, EvacuateAsync);

    private async Task EvacuateAsync(CancellationToken cancel)
    {
        var leaving = sessions.Snapshot();
        if (!options.Value.MigrateOnShutdown || leaving.Length == 0 || cancel.IsCancellationRequested) return;
        var clock = Stopwatch.StartNew();
        var moved = 0;
        try
        {
            await System.Threading.Tasks.Parallel.ForEachAsync(leaving, new ParallelOptions { MaxDegreeOfParallelism = Parallel, CancellationToken = cancel }, async (session, token) =>
            {
                if (MigrationTarget.Hint(membership.CurrentSnapshot, silo.SiloAddress, Random.Shared) is not { } target) return;
                session.Migrate(target, token);
                await session.Deactivated.WaitAsync(token);
                Interlocked.Increment(ref moved);
            });
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Session evacuation stopped by the shutdown timeout after {Ms} ms", clock.ElapsedMilliseconds);
        }
        logger.LogInformation("Evacuated {Moved} of {Sessions} sessions in {Ms} ms before leaving the cluster", moved, leaving.Length, clock.ElapsedMilliseconds);
    }
}
