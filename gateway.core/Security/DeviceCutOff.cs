using AncOrleans.Gateway.Devices;
using AncOrleans.Gateway.Mqtt;

namespace AncOrleans.Gateway.Security;

/// <summary>
/// Ends a device's connections on this gateway when its key is revoked or rotated: the WebSocket (closed with the
/// reason, loops stopped) or the MQTT bridge's session, and its client on the embedded broker.
/// </summary>
public sealed class DeviceCutOff(SessionRegistry registry, EmbeddedBroker broker)
{
    public async Task CutOffAsync(string deviceId, string reason)
    {
        if (registry.TryGetConnection(deviceId, out var endpoint)) await endpoint!.CloseAsync(reason);
        await broker.DisconnectAsync(deviceId, reason);
    }
}
