using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
using AncOrleans.Gateway.Devices;
using AncOrleans.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Api;

/// <summary>
/// Device provisioning under <c>/v1/devices</c>, admin only (docs/security.md): create (the key is returned once, and
/// stored only hashed), rotate, revoke (the device's connections on this gateway are cut at once), list, read.
/// </summary>
public static class DevicesApi
{
    public sealed record CreateDevice(string? DeviceId);

    public sealed record DeviceKey(string DeviceId, string Key, int Generation);

    public sealed record DeviceInfo(string DeviceId, bool Revoked, DateTime CreatedUtc, DateTime? RevokedUtc, int Generation, bool Connected, string? Transport);

    public static RouteGroupBuilder MapDevicesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/devices").RequireAuthorization(AncAuth.Admin);
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{deviceId}", GetAsync);
        group.MapPost("/{deviceId}/key", RotateAsync);
        group.MapDelete("/{deviceId}", RevokeAsync);
        return group;
    }

    private static async Task<Results<Created<DeviceKey>, ProblemHttpResult>> CreateAsync(CreateDevice body, HttpContext context, IGrainFactory grains, IOptions<AuthOptions> auth, AnalyticsRecorder audit)
    {
        if (!DeviceId.TryParse(body.DeviceId, out var id, out var badId)) return TypedResults.Problem($"deviceId: {badId}", statusCode: 400);
        var grain = grains.GetGrain<IDeviceCredentialGrain>(id.Value);
        if (await grain.GetAsync() is { RevokedUtc: null })
            return TypedResults.Problem($"Device '{id}' already has a key: rotate it (POST /v1/devices/{id}/key) or revoke it (DELETE) first.", statusCode: 409);
        var key = Keys.NewDeviceKey();
        var generation = await grain.SetAsync(Keys.Hash(key, auth.Value.KeyHashIterations));
        await grains.GetGrain<IDeviceDirectoryGrain>(0).AddAsync(id.Value);
        await audit.AuditAsync(AnalyticsApi.Actor(context.User), "device.created", id.Value, $"key generation {generation}");
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/devices/{id}", new DeviceKey(id.Value, key, generation));
    }

    private static async Task<Ok<string[]>> ListAsync(IGrainFactory grains) => TypedResults.Ok(await grains.GetGrain<IDeviceDirectoryGrain>(0).ListAsync());

    private static async Task<Results<Ok<DeviceInfo>, ProblemHttpResult>> GetAsync(string deviceId, IGrainFactory grains, SessionRegistry registry)
    {
        if (!DeviceId.TryParse(deviceId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        if (await grains.GetGrain<IDeviceCredentialGrain>(deviceId).GetAsync() is not { } credential)
            return TypedResults.Problem($"No device '{deviceId}'.", statusCode: 404);
        var connected = registry.TryGetConnection(deviceId, out var endpoint);
        return TypedResults.Ok(new DeviceInfo(deviceId, credential.RevokedUtc is not null, credential.CreatedUtc, credential.RevokedUtc, credential.Generation, connected, endpoint?.Transport));
    }

    private static async Task<Results<Ok<DeviceKey>, ProblemHttpResult>> RotateAsync(string deviceId, HttpContext context, IGrainFactory grains, IOptions<AuthOptions> auth, DeviceCutOff cutOff, AnalyticsRecorder audit)
    {
        if (!DeviceId.TryParse(deviceId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        var grain = grains.GetGrain<IDeviceCredentialGrain>(deviceId);
        if (await grain.GetAsync() is null) return TypedResults.Problem($"No device '{deviceId}': create it with POST /v1/devices.", statusCode: 404);
        var key = Keys.NewDeviceKey();
        var generation = await grain.SetAsync(Keys.Hash(key, auth.Value.KeyHashIterations));
        await grains.GetGrain<IDeviceDirectoryGrain>(0).AddAsync(deviceId);
        await audit.AuditAsync(AnalyticsApi.Actor(context.User), "device.key-rotated", deviceId, $"key generation {generation}; connections cut");
        await cutOff.CutOffAsync(deviceId, "key rotated: connect again with the new key");
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new DeviceKey(deviceId, key, generation));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string deviceId, HttpContext context, IGrainFactory grains, DeviceCutOff cutOff, AnalyticsRecorder audit)
    {
        if (!DeviceId.TryParse(deviceId, out _, out var badId)) return TypedResults.Problem(badId, statusCode: 400);
        if (!await grains.GetGrain<IDeviceCredentialGrain>(deviceId).RevokeAsync()) return TypedResults.Problem($"No device '{deviceId}'.", statusCode: 404);
        await grains.GetGrain<IDeviceDirectoryGrain>(0).RemoveAsync(deviceId);
        await audit.AuditAsync(AnalyticsApi.Actor(context.User), "device.revoked", deviceId, "key revoked; connections cut");
        await cutOff.CutOffAsync(deviceId, DeviceAuthenticator.Revoked);
        return TypedResults.NoContent();
    }
}
