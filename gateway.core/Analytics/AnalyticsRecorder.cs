using System.Diagnostics.Metrics;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Hosting;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Analytics;

/// <summary>
/// Writes each device session's summary through the <see cref="IAnalyticsStore"/>: every
/// <c>Analytics:SummaryIntervalSeconds</c> while it runs (off the session's loops: at most one write in flight per
/// session, a failure logged and retried at the next interval) and once when it ends. Anomalies a tick raises go to
/// <see cref="OperatorEvents"/> (MQTT <c>anc/ops/{id}</c>), the log, and the counter <c>SessionAnomalies{kind}</c>.
/// </summary>
public sealed class AnalyticsRecorder
{
    private readonly IAnalyticsStore _store;
    private readonly OperatorEvents _ops;
    private readonly ILogger<AnalyticsRecorder> _logger;
    private readonly TimeSpan _interval;
    private readonly Counter<long> _anomalies;
    private readonly Counter<long> _writeFailures;

    public AnalyticsRecorder(IAnalyticsStore store, OperatorEvents ops, IOptions<AnalyticsOptions> options, IMeterFactory meters, ILogger<AnalyticsRecorder> logger)
    {
        _store = store;
        _ops = ops;
        _logger = logger;
        _interval = TimeSpan.FromSeconds(options.Value.SummaryIntervalSeconds);
        var meter = meters.Create(GatewayMetrics.MeterName);
        _anomalies = meter.CreateCounter<long>("SessionAnomalies", "{anomaly}", "Session anomalies raised (tag kind: reduction-collapse, filter-resets, latency-jump, loss-jump)");
        _writeFailures = meter.CreateCounter<long>("AnalyticsWriteFailures", "{write}", "Session summaries the analytics store refused");
    }

    public IAnalyticsStore Store => _store;

    internal TimeSpan Interval => _interval;

    internal void Raised(string deviceId, AnomalyFlag flag)
    {
        _anomalies.Add(1, new KeyValuePair<string, object?>("kind", flag.Kind));
        _ops.Raise(deviceId, flag);
        _logger.LogWarning("Session {Device}: anomaly {Kind}: {Detail}", deviceId, flag.Kind, flag.Detail);
    }

    public AnalyticsSession Open(string deviceId) => new(this, new SessionAnalytics(deviceId, DateTime.UtcNow));

    internal async Task WriteAsync(SessionSummary summary, CancellationToken cancel)
    {
        try
        {
            await _store.WriteSummaryAsync(summary, cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _writeFailures.Add(1);
            _logger.LogWarning("Session {Device}: summary not written: {Reason}", summary.DeviceId, e.Message);
        }
    }

    /// <summary>Appends to the audit log; a failing store is logged, never fails the change itself.</summary>
    public async Task AuditAsync(string actor, string action, string? deviceId, string detail)
    {
        try
        {
            await _store.WriteAuditAsync(new AuditEvent(DateTime.UtcNow, actor, action, deviceId, detail), CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError("Audit event {Action} on {Device} by {Actor} not written: {Reason}", action, deviceId, actor, e.Message);
        }
    }
}
