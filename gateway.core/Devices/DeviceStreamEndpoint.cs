using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Security;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// <c>GET /v1/devices/{deviceId}/stream</c>: the device protocol over WebSocket (docs/protocol.md). The upgrade must
/// carry the device's key (<c>Authorization: Bearer &lt;key&gt;</c>, or <c>?access_token=</c> from a browser, whose
/// <c>Origin</c> must be in <c>Auth:AllowedOrigins</c>). One connection per device: a newer one with a valid key takes
/// over and the older is closed with the reason.
/// </summary>
public static class DeviceStreamEndpoint
{
    public const string Replaced = "replaced: this device connected again";

    public static IEndpointRouteBuilder MapDeviceStream(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/devices/{deviceId}/stream", async (HttpContext context, string deviceId, IGrainFactory grains, SessionRegistry registry,
            IOptions<GatewayOptions> options, IOptions<AuthOptions> auth, DeviceAuthenticator authenticator, GatewayMetrics metrics, ILoggerFactory loggers, AlertWebhook webhook, Analytics.AnalyticsRecorder analytics) =>
        {
            if (!DeviceId.TryParse(deviceId, out _, out var badId))
                return Results.Problem(badId, statusCode: 400);
            if (!context.WebSockets.IsWebSocketRequest)
                return Results.Problem("This endpoint speaks WebSocket: send an Upgrade request.", statusCode: 400);
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length > 0 && !auth.Value.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                metrics.AccessRefused.Add(1);
                return Results.Problem($"origin '{origin}' may not open a device stream (Auth:AllowedOrigins)", statusCode: 403, title: "Forbidden");
            }
            var verdict = await authenticator.VerifyAsync(deviceId, PresentedKey(context.Request), context.Connection.RemoteIpAddress?.ToString());
            if (verdict.Throttled)
            {
                context.Response.Headers.RetryAfter = ((int)verdict.RetryAfter!.Value.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(verdict.Reason, statusCode: 429, title: "Too Many Requests");
            }
            if (!verdict.Ok)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Problem(verdict.Reason, statusCode: 401, title: "Unauthorized");
            }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var connection = new DeviceConnection(deviceId, socket, grains, options, metrics, loggers.CreateLogger<DeviceConnection>(), webhook, analytics);
            if (registry.Connect(deviceId, connection) is { } previous)
            {
                metrics.ConnectionsReplaced.Add(1);
                await previous.CloseAsync(Replaced);
            }
            try
            {
                await connection.RunAsync(context.RequestAborted);
            }
            finally
            {
                registry.Disconnected(deviceId, connection);
            }
            return Results.Empty;
        });
        return app;
    }

    /// <summary>The key from <c>Authorization: Bearer</c>, else from <c>access_token</c> (browsers cannot set headers on a WebSocket).</summary>
    private static string? PresentedKey(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Query.TryGetValue("access_token", out var token) ? token.ToString() : null;
    }
}
