using System.Globalization;
using System.Security.Claims;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
using AncOrleans.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AncOrleans.Gateway.Api;

/// <summary>
/// Reading back what sessions left behind (admin only; docs/analytics.md): <c>GET /v1/analytics?from=&amp;to=&amp;device=&amp;limit=</c>
/// (session summaries that overlap the window, newest first; the window defaults to the last 24 h) and
/// <c>GET /v1/devices/{id}/history?from=&amp;to=</c> (one device's summaries and audit events; the last 30 days).
/// Times are ISO-8601 (UTC unless an offset is given).
/// </summary>
public static class AnalyticsApi
{
    public const int MaxLimit = 1000;

    public sealed record DeviceHistory(string DeviceId, IReadOnlyList<SessionSummary> Sessions, IReadOnlyList<AuditEvent> Audit);

    public static IEndpointRouteBuilder MapAnalyticsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/analytics", ListAsync).RequireAuthorization(AncAuth.Admin);
        app.MapGet("/v1/devices/{deviceId}/history", HistoryAsync).RequireAuthorization(AncAuth.Admin);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<SessionSummary>>, ProblemHttpResult>> ListAsync(
        string? from, string? to, string? device, int? limit, AnalyticsRecorder analytics, CancellationToken cancel)
    {
        if (Window(from, to, TimeSpan.FromDays(1), out var start, out var end) is { } bad) return bad;
        if (device is not null && !DeviceId.TryParse(device, out _, out var badId)) return TypedResults.Problem($"device: {badId}", statusCode: 400);
        if (limit is < 1 or > MaxLimit) return TypedResults.Problem($"limit must be between 1 and {MaxLimit}, not {limit}.", statusCode: 400);
        return TypedResults.Ok(await analytics.Store.ReadSummariesAsync(start, end, device, limit ?? 100, cancel));
    }

    private static async Task<Results<Ok<DeviceHistory>, ProblemHttpResult>> HistoryAsync(
        string deviceId, string? from, string? to, AnalyticsRecorder analytics, CancellationToken cancel)
    {
        if (!DeviceId.TryParse(deviceId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        if (Window(from, to, TimeSpan.FromDays(30), out var start, out var end) is { } bad) return bad;
        var sessions = await analytics.Store.ReadSummariesAsync(start, end, deviceId, MaxLimit, cancel);
        var audit = await analytics.Store.ReadAuditAsync(start, end, deviceId, MaxLimit, cancel);
        return TypedResults.Ok(new DeviceHistory(deviceId, sessions, audit));
    }

    private static ProblemHttpResult? Window(string? from, string? to, TimeSpan span, out DateTime start, out DateTime end)
    {
        start = end = default;
        if (!TryTime(to, DateTime.UtcNow, out end)) return TypedResults.Problem($"to: '{to}' is not an ISO-8601 time (e.g. 2026-11-29T10:00:00Z).", statusCode: 400);
        if (!TryTime(from, end - span, out start)) return TypedResults.Problem($"from: '{from}' is not an ISO-8601 time (e.g. 2026-11-29T09:00:00Z).", statusCode: 400);
        return start > end ? TypedResults.Problem($"from ({start:O}) is after to ({end:O}).", statusCode: 400) : null;
    }

    private static bool TryTime(string? text, DateTime fallback, out DateTime time)
    {
        time = fallback;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        time = parsed.UtcDateTime;
        return true;
    }

    /// <summary>Who made a change, for the audit log: <c>admin</c>, <c>reader</c> or <c>device:{id}</c>.</summary>
    public static string Actor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.IsInRole(AncAuth.AdminRole)) return AncAuth.AdminRole;
        if (user.FindFirst(AncAuth.DeviceClaim)?.Value is { } device) return $"device:{device}";
        return user.IsInRole(AncAuth.ReaderRole) ? AncAuth.ReaderRole : "anonymous";
    }
}
