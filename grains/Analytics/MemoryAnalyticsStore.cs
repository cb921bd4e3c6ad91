using System.Collections.Concurrent;
using AncOrleans.Abstractions.Analytics;

namespace AncOrleans.Grains.Analytics;

/// <summary>
/// <c>Analytics:Store=memory</c> (the local default): this process only, gone when it stops; the audit log keeps its
/// last 10,000 events.
/// </summary>
public sealed class MemoryAnalyticsStore : IAnalyticsStore
{
    private const int MaxAudit = 10_000;
    private readonly ConcurrentDictionary<string, SessionSummary> _summaries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<AuditEvent> _audit = new();

    public Task WriteSummaryAsync(SessionSummary summary, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(summary);
        _summaries[AnalyticsQuery.Key(summary)] = summary;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SessionSummary>> ReadSummariesAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel) =>
        Task.FromResult(AnalyticsQuery.Newest(_summaries.Values.Where(s => AnalyticsQuery.Overlaps(s, from, to, deviceId)), limit));

    public Task WriteAuditAsync(AuditEvent audit, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(audit);
        _audit.Enqueue(audit);
        while (_audit.Count > MaxAudit) _audit.TryDequeue(out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<AuditEvent>> ReadAuditAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel) =>
        Task.FromResult(AnalyticsQuery.Newest(_audit.Where(e => AnalyticsQuery.Within(e, from, to, deviceId)), limit));
}
