using AncOrleans.Abstractions.Analytics;

namespace AncOrleans.Grains.Analytics;

/// <summary>The stores' one reading rule: what overlaps the window, of one device or all, newest first.</summary>
public static class AnalyticsQuery
{
    public static bool Overlaps(SessionSummary summary, DateTime from, DateTime to, string? deviceId) =>
        summary.StartedUtc <= to && summary.UpdatedUtc >= from && (deviceId is null || summary.DeviceId == deviceId);

    public static bool Within(AuditEvent audit, DateTime from, DateTime to, string? deviceId) =>
        audit.AtUtc >= from && audit.AtUtc <= to && (deviceId is null || audit.DeviceId == deviceId);

    public static IReadOnlyList<SessionSummary> Newest(IEnumerable<SessionSummary> summaries, int limit) =>
        summaries.OrderByDescending(s => s.StartedUtc).ThenBy(s => s.DeviceId, StringComparer.Ordinal).Take(limit).ToArray();

    public static IReadOnlyList<AuditEvent> Newest(IEnumerable<AuditEvent> events, int limit) =>
        events.OrderByDescending(e => e.AtUtc).Take(limit).ToArray();

    /// <summary>The key a summary is stored under: its device and start, so a later write replaces it.</summary>
    public static string Key(SessionSummary summary) => $"{summary.DeviceId}/{summary.StartedUtc:O}";
}
