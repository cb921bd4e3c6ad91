namespace AncOrleans.Gateway.Devices;

/// <summary>A device's live connection on this gateway, whatever carries it: a WebSocket or the MQTT bridge.</summary>
public interface IDeviceEndpoint
{
    /// <summary><c>websocket</c> or <c>mqtt</c>.</summary>
    string Transport { get; }

    /// <summary>The device's protocol session (counts, latency).</summary>
    DeviceSession Session { get; }

    /// <summary>Ends the connection from the server side, telling the device why; returns once it no longer serves.</summary>
    Task CloseAsync(string reason);
}
