using AncOrleans.Abstractions.Protocol;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary><c>GET /v1/devices/{deviceId}/stream</c>: the device protocol over WebSocket (docs/protocol.md).</summary>
public static class DeviceStreamEndpoint
{
    public static IEndpointRouteBuilder MapDeviceStream(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/devices/{deviceId}/stream", async (HttpContext context, string deviceId, IGrainFactory grains, SessionRegistry registry,
            IOptions<GatewayOptions> options, GatewayMetrics metrics, ILoggerFactory loggers, AlertWebhook webhook) =>
        {
            if (!DeviceId.TryParse(deviceId, out _, out var badId))
                return Results.Problem(badId, statusCode: 400);
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
