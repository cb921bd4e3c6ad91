using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// A graceful shutdown (SIGTERM, scale-in) moves the silo's sessions away <em>before</em> the silo announces that it is
/// leaving: the <see cref="ServiceLifecycleStage.Active"/> stage is the first to stop, while every silo (this one
/// included) is still active and the grain directory is whole. Each session migrates to a random other active silo
/// with its filter in memory (<see cref="MigrationTarget"/>): first those with a device streaming (a frame in the last
/// 2 s), <see cref="SessionGrainOptions.EvacuationParallel"/> at a time, then the idle ones, <see cref="IdleParallel"/> at a time. Sessions that arrive afterwards, or that
/// could not move, are migrated by their own deactivation when Orleans deactivates the silo's grains.
/// </summary>
internal sealed class SessionEvacuation(LocalSessions sessions, IClusterMembershipService membership, ILocalSiloDetails silo,
    IOptions<SessionGrainOptions> options, ILogger<SessionEvacuation> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int IdleParallel = 8;
    private static readonly TimeSpan StreamingWindow = TimeSpan.FromSeconds(2);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionEvacuation), ServiceLifecycleStage.Active, _ => Task.CompletedTask, EvacuateAsync);

    private async Task EvacuateAsync(CancellationToken cancel)
    {
        var leaving = sessions.Snapshot();
        if (!options.Value.MigrateOnShutdown || leaving.Length == 0 || cancel.IsCancellationRequested) return;
        var clock = Stopwatch.StartNew();
        var moved = 0;
        // Sessions with a device streaming go first, a few at a time: a move holds its session's frames until the
        // new activation answers, and moves that run together slow each other down (CPU, directory writes).
        var streaming = leaving.Where(s => s.Streaming(StreamingWindow)).ToArray();
        var idle = leaving.Except(streaming).ToArray();
        try
        {
            moved += await MoveAsync(streaming, options.Value.EvacuationParallel, cancel);
            var live = clock.ElapsedMilliseconds;
            moved += await MoveAsync(idle, IdleParallel, cancel);
            logger.LogInformation("Evacuated {Moved} of {Sessions} sessions ({Streaming} streaming, moved in {LiveMs} ms) in {Ms} ms before leaving the cluster",
                moved, leaving.Length, streaming.Length, live, clock.ElapsedMilliseconds);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("Session evacuation stopped by the shutdown timeout after {Ms} ms ({Moved} of {Sessions} moved)", clock.ElapsedMilliseconds, moved, leaving.Length);
        }
    }

    private async Task<int> MoveAsync(LocalSession[] group, int parallel, CancellationToken cancel)
    {
        var moved = 0;
        await System.Threading.Tasks.Parallel.ForEachAsync(group, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancel }, async (session, token) =>
        {
            if (MigrationTarget.Hint(membership.CurrentSnapshot, silo.SiloAddress, Random.Shared) is not { } target) return;
            session.Context.Migrate(target, token);
            await session.Context.Deactivated.WaitAsync(token);
            Interlocked.Increment(ref moved);
        });
        return moved;
    }
}
