namespace AncOrleans.Gateway.Analytics;

/// <summary>
/// The thresholds of the anomaly rules (docs/observability.md, "Analytics and anomalies"). Each flag is raised once
/// per episode and cleared with hysteresis.
/// </summary>
public sealed record AnomalyRules
{
    /// <summary>Reduction collapse: the last seconds' reduction (EWMA, <see cref="FastSeconds"/>) this far below the session's own level (EWMA, <see cref="SlowSeconds"/>)…</summary>
    public double CollapseDropDb { get; init; } = 10;

    /// <summary>…when that level was at least this (a session that never cancelled cannot collapse)…</summary>
    public double CollapseFromDb { get; init; } = 10;

    public double FastSeconds { get; init; } = 3;

    public double SlowSeconds { get; init; } = 30;

    /// <summary>…and not in the session's first seconds (convergence), nor while an alert holds the anti-noise out.</summary>
    public double WarmupSeconds { get; init; } = 10;

    /// <summary>Filter resets: this many within <see cref="ResetWindowSeconds"/>.</summary>
    public int Resets { get; init; } = 3;

    public double ResetWindowSeconds { get; init; } = 60;

    /// <summary>Latency and loss are judged per window of this length.</summary>
    public double WindowSeconds { get; init; } = 10;

    /// <summary>Latency jump: the window's p95 at least this many times the session's p95 before it…</summary>
    public double LatencyFactor { get; init; } = 2;

    /// <summary>…and at least this many ms above it, with enough frames on both sides.</summary>
    public double LatencyMarginMs { get; init; } = 20;

    public int LatencyMinFrames { get; init; } = 100;

    /// <summary>Loss jump: at least this fraction of the window's frames lost (late, unavailable, rate-limited, queue full)…</summary>
    public double LossFraction { get; init; } = 0.05;

    /// <summary>…and at least this many.</summary>
    public int LossMinFrames { get; init; } = 10;
}
