using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary><c>GET /v1/devices/{deviceId}/stream</c>: the device protocol over WebSocket (docs/protocol.md).</summary>
public static partial class DeviceStreamEndpoint
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    public static partial Regex DeviceIdPattern();

    /// <summary>The problem returned for an id that does not match <see cref="DeviceIdPattern"/>.</summary>
    public static string BadIdMessage(string id) => $"id '{id}' must be 1–128 characters of A–Z, a–z, 0–9, '.', '_' or '-'.";

    public static IEndpointRouteBuilder MapDeviceStream(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/devices/{deviceId}/stream", async (HttpContext context, string deviceId, IGrainFactory grains, SessionRegistry registry,
            IOptions<GatewayOptions> options, GatewayMetrics metrics, ILoggerFactory loggers, AlertWebhook webhook) =>
        {
            if (!DeviceIdPattern().IsMatch(deviceId))
                return Results.Problem(BadIdMessage(deviceId), statusCode: 400);
            if (!context.WebSockets.IsWebSocketRequest)
                return Results.Problem("This endpoint speaks WebSocket: send an Upgrade request.", statusCode: 400);
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var connection = new DeviceConnection(deviceId, socket, grains, options, metrics, loggers.CreateLogger<DeviceConnection>(), webhook);
            registry.Add(deviceId, connection);
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
}
