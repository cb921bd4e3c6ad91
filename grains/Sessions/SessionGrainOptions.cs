namespace AncOrleans.Grains.Sessions;

/// <summary>Section <c>Session</c> of the configuration.</summary>
public sealed class SessionGrainOptions
{
    public const string Section = "Session";

    /// <summary>Seconds between checkpoints of config + coefficients (also written on deactivation).</summary>
    public double CheckpointSeconds { get; set; } = 5;

    /// <summary>Largest frame accepted, in samples per channel (100 ms at 48 kHz).</summary>
    public int MaxFrameSamples { get; set; } = 4_800;

    /// <summary>Largest accepted |sample| for float32 frames (full scale is 1.0).</summary>
    public float MaxAbsSample { get; set; } = 4f;

    /// <summary>Whether sessions send their reference mic to the emergency and classifier grains (false: neither runs).</summary>
    public bool PublishFeatures { get; set; } = true;

    /// <summary>Audio per feature batch, in ms: one call per listener per batch (adds up to this to an alert's latency).</summary>
    public int FeatureBatchMs { get; set; } = 100;

    /// <summary>
    /// Edge sessions with a duty cycle below 1 that may converge at full duty at once, per core (0: no limit); the others
    /// follow their duty cycle until a lease is free (dsp/ConvergenceLeases.cs). A start burst of devices then costs what
    /// the cores have, not 1/duty times their later cost.
    /// </summary>
    public int EdgeConvergingPerCore { get; set; } = 32;

    /// <summary>The longest an edge session converges at full duty on one lease, in seconds.</summary>
    public double EdgeConvergeSeconds { get; set; } = 5;

    /// <summary>The process's convergence leases (null: no limit).</summary>
    public Dsp.ConvergenceLeases? EdgeConvergence => EdgeConvergingPerCore <= 0 ? null
        : Dsp.ConvergenceLeases.Of(EdgeConvergingPerCore * Environment.ProcessorCount, TimeSpan.FromSeconds(EdgeConvergeSeconds));

    /// <summary>Seconds of audio between re-sends of an alert the device has not acknowledged.</summary>
    public double AlertResendSeconds { get; set; } = 1;

    /// <summary>Seconds of audio after which an unacknowledged alert is dropped from the queue (and counted).</summary>
    public double AlertExpirySeconds { get; set; } = 60;

    /// <summary>
    /// After a restore (failover) with an alert in force: seconds of audio the session keeps the passthrough on while
    /// it waits for the emergency detector to confirm the alert (it re-asserts active alerts every 2 s); unconfirmed,
    /// the alert is cleared.
    /// </summary>
    public double RestoredAlertHoldSeconds { get; set; } = 5;

    /// <summary>
    /// Whether a session moved off its silo by a graceful leave (its own silo shutting down on SIGTERM or scale-in, or
    /// the silo holding its directory entry) migrates to another silo with its filter in memory (Orleans live grain
    /// migration) rather than deactivating and being restored from its checkpoint at the next frame.
    /// </summary>
    public bool MigrateOnShutdown { get; set; } = true;

    /// <summary>
    /// At most this many seconds of a silo's start-up spent running a session's frame path before it joins the
    /// cluster (<see cref="SiloWarmup"/>), so its first sessions do not pay for JIT compilation; 0 turns it off.
    /// </summary>
    public double WarmupSeconds { get; set; } = 10;

    /// <summary>
    /// Once active, move a warm-up session to another silo and back (<see cref="MigrationWarmup"/>), so the first real
    /// migration (a SIGTERM) does not pay for compiling the migration path; needs <see cref="MigrateOnShutdown"/>.
    /// </summary>
    public bool MigrationWarmup { get; set; } = true;

    /// <summary>
    /// A leaving silo moves at most this many streaming sessions at once (<see cref="SessionEvacuation"/>). Each move
    /// holds its session's frames until the new activation answers, and moves run together slow each other; fewer at
    /// once keeps each move short, at the price of a longer evacuation (~30 ms per move here, so 2 at once empties
    /// 1,000 sessions in about 15 s, within the 20 s stop timeout).
    /// </summary>
    public int EvacuationParallel { get; set; } = 2;
}
