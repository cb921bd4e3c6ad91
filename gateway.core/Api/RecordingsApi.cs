using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions.Recordings;
using AncOrleans.Gateway.Analytics;
using AncOrleans.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AncOrleans.Gateway.Api;

/// <summary>
/// Opt-in recordings (admin only; docs/recordings.md): <c>PUT /v1/sessions/{id}/recording {"enabled":true}</c> turns a
/// session's recording on or off, <c>GET /v1/recordings?device=</c> lists the WAV chunks, and
/// <c>GET /v1/recordings/{key}</c> returns one (<c>audio/wav</c>, with range requests, so a page can play it).
/// </summary>
public static class RecordingsApi
{
    public sealed record RecordingSwitch(bool Enabled);

    public sealed record RecordingState(string SessionId, bool Recording);

    public static IEndpointRouteBuilder MapRecordingsApi(this IEndpointRouteBuilder app)
    {
        app.MapPut("/v1/sessions/{sessionId}/recording", SetAsync).RequireAuthorization(AncAuth.Admin);
        app.MapGet("/v1/recordings", ListAsync).RequireAuthorization(AncAuth.Admin);
        app.MapGet("/v1/recordings/{*key}", GetAsync).RequireAuthorization(AncAuth.Admin);
        return app;
    }

    private static async Task<Results<Ok<RecordingState>, ProblemHttpResult>> SetAsync(string sessionId, RecordingSwitch body, HttpContext context,
        IGrainFactory grains, AnalyticsRecorder audit)
    {
        if (!DeviceId.TryParse(sessionId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        bool recording;
        try
        {
            recording = await grains.GetGrain<ISessionGrain>(sessionId).SetRecordingAsync(body.Enabled);
        }
        catch (InvalidOperationException e)
        {
            return TypedResults.Problem(e.Message, statusCode: 409);
        }
        await audit.AuditAsync(AnalyticsApi.Actor(context.User), recording ? "recording.on" : "recording.off", sessionId, "asked over REST");
        return TypedResults.Ok(new RecordingState(sessionId, recording));
    }

    private static async Task<Results<Ok<IReadOnlyList<RecordingInfo>>, ProblemHttpResult>> ListAsync(string? device, IRecordingStore store, CancellationToken cancel)
    {
        if (device is not null && !DeviceId.TryParse(device, out _, out var badId)) return TypedResults.Problem($"device: {badId}", statusCode: 400);
        return TypedResults.Ok(await store.ListAsync(device, cancel));
    }

    private static async Task<IResult> GetAsync(string key, IRecordingStore store, CancellationToken cancel)
    {
        if (!RecordingKeys.TryParse(key, out _))
            return TypedResults.Problem($"'{key}' is not a recording key: {{deviceId}}/{{yyyyMMddTHHmmssZ}}/{{chunk:D5}}-noise|residual.wav (GET /v1/recordings lists them).", statusCode: 400);
        return await store.GetAsync(key, cancel) is { } wav
            ? TypedResults.File(wav, "audio/wav", key.Replace('/', '_'), enableRangeProcessing: true)
            : TypedResults.Problem($"No recording '{key}'.", statusCode: 404);
    }
}
