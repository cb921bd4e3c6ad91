using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
using AncOrleans.Grains.Analytics;

namespace AncOrleans.Tests;

/// <summary>The session summary and the anomaly rules (docs/observability.md, "Analytics and anomalies"), on made-up stats.</summary>
public sealed class SessionAnalyticsTests
{
    private static readonly DateTime T0 = new(2026, 11, 29, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>A session that hears <paramref name="dbAt"/>(second) dB each second, 100 frames a second.</summary>
    private static (SessionAnalytics Analytics, List<AnomalyFlag> Raised, SessionStats Last) Run(int seconds, Func<int, double> dbAt,
        Func<int, int>? resetsAt = null, Func<int, double>? latencyAt = null, Func<int, long>? lostAt = null, Func<int, string?>? labelAt = null,
        Func<int, ConvergenceState>? stateAt = null)
    {
        var analytics = new SessionAnalytics("dev", T0);
        analytics.Started("antinoise");
        var raised = new List<AnomalyFlag>();
        double noise = 0, residual = 0;
        long received = 0, lost = 0;
        SessionStats stats = null!;
        for (var s = 1; s <= seconds; s++)
        {
            for (var f = 0; f < 100; f++) analytics.Answered(latencyAt?.Invoke(s) ?? 2);
            noise += 1;
            residual += Math.Pow(10, -dbAt(s) / 10);
            received += 100;
            lost += lostAt?.Invoke(s) ?? 0;
            stats = new SessionStats("dev", received, received, 0, dbAt(s), 0, stateAt?.Invoke(s) ?? ConvergenceState.Converged, "hybrid", "antinoise", 1,
                resetsAt?.Invoke(s) ?? 0, 0, null, labelAt?.Invoke(s)) { NoiseEnergy = noise, ResidualEnergy = residual };
            raised.AddRange(analytics.Tick(T0.AddSeconds(s), stats, new FrameCounts(received, received - lost, 0, lost, 0, 0, 0, 0)) ?? []);
        }
        return (analytics, raised, stats);
    }

    [Fact]
    public void The_summary_holds_the_steady_reduction_percentiles_and_time_per_label()
    {
        // 10 s converging at 0 dB, then 30 s at 30 dB; labelled "hum" from 5 s on.
        var (analytics, raised, _) = Run(40, s => s <= 10 ? 0 : 30, labelAt: s => s <= 5 ? null : "hum");
        var summary = analytics.Summary(T0.AddSeconds(40), ended: true, new FrameCounts(4000, 4000, 0, 0, 0, 0, 0, 0));
        Assert.Empty(raised);
        Assert.Equal(30, summary.ReductionDb, 1);                       // the last quarter: 30–40 s
        Assert.Equal(10 * Math.Log10(40 / (10 + 30 * 1e-3)), summary.ReductionSinceStartDb, 1);
        Assert.InRange(summary.ReductionP50Db, 29.5, 30.5);
        Assert.InRange(summary.ReductionP10Db, -0.5, 0.5);
        Assert.Equal(5, summary.SecondsPerLabel["unclassified"], 3);
        Assert.Equal(35, summary.SecondsPerLabel["hum"], 3);
        Assert.InRange(summary.LatencyP50Ms, 1.8, 2.2);
        Assert.True(summary.Ended);
        Assert.Equal(40, summary.DurationSeconds);
    }

    [Fact]
    public void A_long_session_keeps_its_steady_window_once_its_history_is_merged()
    {
        // 5000 ticks: the span history has merged pairs twice; the last quarter (3750–5000 s) is at 30 dB.
        var (analytics, _, _) = Run(5000, s => s <= 3750 ? 10 : 30);
        Assert.Equal(30, analytics.Summary(T0.AddSeconds(5000), true, new FrameCounts(1, 1, 0, 0, 0, 0, 0, 0)).ReductionDb, 0);
    }

    [Fact]
    public void A_collapse_of_the_reduction_is_flagged_once_but_not_while_an_alert_holds_the_anti_noise_out()
    {
        var (_, raised, _) = Run(60, s => s < 40 ? 30 : 5);
        var flag = Assert.Single(raised);
        Assert.Equal("reduction-collapse", flag.Kind);
        Assert.InRange((flag.AtUtc - T0).TotalSeconds, 40, 45);

        var (_, passthrough, _) = Run(60, s => s < 40 ? 30 : 0, stateAt: s => s < 40 ? ConvergenceState.Converged : ConvergenceState.Passthrough);
        Assert.Empty(passthrough);
        // A session that never cancelled cannot collapse.
        Assert.Empty(Run(60, s => s < 40 ? 6 : 0).Raised);
    }

    [Fact]
    public void Three_filter_resets_within_a_minute_are_flagged()
    {
        var (analytics, raised, _) = Run(60, _ => 20, resetsAt: s => s < 20 ? 0 : s < 25 ? 1 : s < 30 ? 2 : 3);
        Assert.Equal("filter-resets", Assert.Single(raised).Kind);
        Assert.Equal(3, analytics.Summary(T0.AddSeconds(60), false, new FrameCounts(1, 1, 0, 0, 0, 0, 0, 0)).FilterResets);
        Assert.Empty(Run(200, _ => 20, resetsAt: s => s / 70).Raised); // one every 70 s: not flagged
    }

    [Fact]
    public void Latency_and_loss_jumps_are_flagged()
    {
        var (_, latency, _) = Run(80, _ => 20, latencyAt: s => s < 60 ? 3 : 40);
        Assert.Equal("latency-jump", Assert.Single(latency).Kind);
        var (_, loss, _) = Run(60, _ => 20, lostAt: s => s is > 30 and < 45 ? 10 : 0);
        Assert.Equal("loss-jump", Assert.Single(loss).Kind);
        Assert.Empty(Run(60, _ => 20, latencyAt: s => 3 + s % 3, lostAt: s => s % 20 == 0 ? 1 : 0).Raised);
    }

    [Fact]
    public void Mode_changes_alerts_and_errors_are_counted()
    {
        var analytics = new SessionAnalytics("dev", T0);
        analytics.Started("antinoise");
        analytics.Started("antinoise");
        analytics.Started("clean");
        analytics.Alert(new EmergencyAlert("dev", "siren", T0, 1.0, true));
        analytics.Alert(new EmergencyAlert("dev", "siren", T0, 2.0, false));
        analytics.Error("late: …");
        var summary = analytics.Summary(T0.AddSeconds(3), false, new FrameCounts(0, 0, 0, 0, 0, 0, 0, 0));
        Assert.Equal((1, "clean", 1, 1L, "late: …"), (summary.ModeChanges, summary.Mode, summary.Alerts, summary.Errors, summary.LastError));
    }

    [Fact]
    public async Task The_file_store_keeps_the_last_write_of_each_session_and_the_audit_log_across_instances()
    {
        var directory = Path.Combine(Path.GetTempPath(), "anc-analytics-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = new FileAnalyticsStore(directory);
            var running = new SessionAnalytics("a", T0).Summary(T0.AddMinutes(1), false, new FrameCounts(6000, 6000, 0, 0, 0, 0, 0, 0));
            await store.WriteSummaryAsync(running, default);
            await store.WriteSummaryAsync(running with { UpdatedUtc = T0.AddMinutes(2), Ended = true }, default);
            await store.WriteSummaryAsync(running with { DeviceId = "b", StartedUtc = T0.AddHours(1), UpdatedUtc = T0.AddHours(2) }, default);
            await store.WriteAuditAsync(new AuditEvent(T0, "admin", "device.created", "a", "key generation 1"), default);

            var reopened = new FileAnalyticsStore(directory);
            var a = Assert.Single(await reopened.ReadSummariesAsync(T0, T0.AddMinutes(30), null, 10, default));
            Assert.True(a.Ended);
            Assert.Equal(2, (await reopened.ReadSummariesAsync(T0, T0.AddHours(3), null, 10, default)).Count);
            Assert.Equal("b", Assert.Single(await reopened.ReadSummariesAsync(T0, T0.AddHours(3), "b", 10, default)).DeviceId);
            Assert.Equal("device.created", Assert.Single(await reopened.ReadAuditAsync(T0, T0.AddDays(1), "a", 10, default)).Action);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
