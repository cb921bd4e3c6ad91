using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
using AncOrleans.Gateway.Devices;
using AncOrleans.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AncOrleans.Gateway.Api;

/// <summary>
/// REST under <c>/v1/sessions</c>: list and read (reader role; a device reads its own session with its key), configure
/// and end (admin). Only sessions this gateway serves are read: an unknown id is a 404 without activating a grain.
/// Errors are problem details.
/// </summary>
public static class SessionsApi
{
    public sealed record SessionSummary(string SessionId, bool Connected, SessionStats Stats);

    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/sessions");
        group.MapGet("/", ListAsync).RequireAuthorization(AncAuth.Reader);
        group.MapGet("/{sessionId}", GetAsync).RequireAuthorization(AncAuth.SessionReader);
        group.MapPut("/{sessionId}/config", ConfigureAsync).RequireAuthorization(AncAuth.Admin);
        group.MapDelete("/{sessionId}", EndAsync).RequireAuthorization(AncAuth.Admin);
        return group;
    }

    private static async Task<Ok<SessionSummary[]>> ListAsync(SessionRegistry registry, IGrainFactory grains)
    {
        var ids = registry.Sessions.ToArray();
        var stats = await Task.WhenAll(ids.Select(id => grains.GetGrain<ISessionGrain>(id).GetStatsAsync()));
        return TypedResults.Ok(ids.Select((id, i) => new SessionSummary(id, registry.IsConnected(id), stats[i])).ToArray());
    }

    private static async Task<Results<Ok<SessionStats>, ProblemHttpResult>> GetAsync(string sessionId, IGrainFactory grains, SessionRegistry registry)
    {
        if (!DeviceId.TryParse(sessionId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        // Never activate a session for an id this gateway does not serve.
        if (!registry.Contains(sessionId)) return TypedResults.Problem($"No session '{sessionId}' on this gateway.", statusCode: 404);
        var stats = await grains.GetGrain<ISessionGrain>(sessionId).GetStatsAsync();
        return stats.ConvergenceState == ConvergenceState.Unconfigured && stats.FramesIn == 0
            ? TypedResults.Problem($"No session '{sessionId}'.", statusCode: 404)
            : TypedResults.Ok(stats);
    }

    private static async Task<Results<Ok<SessionStats>, ProblemHttpResult>> ConfigureAsync(string sessionId, SessionConfig config, HttpContext context, IGrainFactory grains, SessionRegistry registry, AnalyticsRecorder audit)
    {
        if (!DeviceId.TryParse(sessionId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        var grain = grains.GetGrain<ISessionGrain>(sessionId);
        try
        {
            await grain.ConfigureAsync(config);
        }
        catch (ArgumentException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 400, title: "Invalid session configuration");
        }
        registry.Configured(sessionId);
        await audit.AuditAsync(AnalyticsApi.Actor(context.User), "session.configured", sessionId, System.Text.Json.JsonSerializer.Serialize(config));
        return TypedResults.Ok(await grain.GetStatsAsync());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndAsync(string sessionId, HttpContext context, IGrainFactory grains, SessionRegistry registry, AnalyticsRecorder audit)
    {
        if (!DeviceId.TryParse(sessionId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        if (registry.TryGetConnection(sessionId, out var connection)) await connection!.CloseAsync("session ended by the API");
        await grains.GetGrain<ISessionGrain>(sessionId).EndAsync();
        registry.Remove(sessionId);
        await audit.AuditAsync(AnalyticsApi.Actor(context.User), "session.ended", sessionId, "ended by the API");
        return TypedResults.NoContent();
    }
}
