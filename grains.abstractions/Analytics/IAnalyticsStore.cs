namespace AncOrleans.Abstractions.Analytics;

/// <summary>
/// Where session summaries and the audit log are kept: memory or a local file (development), DynamoDB (production).
/// A summary is keyed by device and start time, so writing it again replaces it.
/// </summary>
public interface IAnalyticsStore
{
    Task WriteSummaryAsync(SessionSummary summary, CancellationToken cancel);

    /// <summary>Summaries of sessions that overlap [<paramref name="from"/>, <paramref name="to"/>], of one device or all, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<SessionSummary>> ReadSummariesAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel);

    Task WriteAuditAsync(AuditEvent audit, CancellationToken cancel);

    /// <summary>Audit events in [<paramref name="from"/>, <paramref name="to"/>], of one device or all, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<AuditEvent>> ReadAuditAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel);
}
