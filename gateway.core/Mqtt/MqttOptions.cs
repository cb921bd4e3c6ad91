using System.Net;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>
/// Section <c>Mqtt</c>. By default the gateway runs its own broker (MQTTnet) on 1883 and bridges it; in
/// production set <c>EmbeddedBroker=false</c> and point <c>Host</c>/<c>Port</c> at Mosquitto or AWS IoT Core (TLS
/// with a client certificate).
/// </summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";
    public const int DefaultPort = 1883;

    /// <summary>The embedded broker listens on loopback only; the bridge finds it there.</summary>
    public static readonly IPAddress EmbeddedBrokerAddress = IPAddress.Loopback;

    public bool Enabled { get; set; } = true;

    /// <summary>Run an MQTT broker inside the gateway (the local default); the bridge then connects to it, not to Host/Port.</summary>
    public bool EmbeddedBroker { get; set; } = true;

    public int EmbeddedBrokerPort { get; set; } = DefaultPort;

    /// <summary>
    /// A PKCS#12 (.pfx) server certificate for the embedded broker: when set, it also listens with TLS on
    /// <see cref="EmbeddedBrokerTlsPort"/> on every interface — the endpoint for devices on a network (the plain port
    /// stays on loopback, for the bridge and local tools).
    /// </summary>
    public string? EmbeddedBrokerCertificatePath { get; set; }

    public string? EmbeddedBrokerCertificatePassword { get; set; }

    public int EmbeddedBrokerTlsPort { get; set; } = 8883;

    /// <summary>The external broker the bridge connects to (ignored with <see cref="EmbeddedBroker"/>).</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>The external broker's port (ignored with <see cref="EmbeddedBroker"/>).</summary>
    public int Port { get; set; } = DefaultPort;

    public string ClientId { get; set; } = $"anc-gateway-{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>TLS to the external broker (AWS IoT Core: port 8883 and a client certificate).</summary>
    public bool UseTls { get; set; }

    /// <summary>PKCS#12 client certificate for TLS client authentication (AWS IoT Core).</summary>
    public string? ClientCertificatePath { get; set; }

    public string? ClientCertificatePassword { get; set; }

    /// <summary>The bridge's user name on an external broker (Mosquitto's password file); the embedded broker gives the bridge its own identity.</summary>
    public string? Username { get; set; }

    /// <summary>The bridge's password on an external broker.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The broker the bridge connects to: with <see cref="EmbeddedBroker"/>, the embedded broker itself
    /// (<see cref="EmbeddedBrokerAddress"/>:<see cref="EmbeddedBrokerPort"/>) whatever Host and Port say; otherwise
    /// <see cref="Host"/>:<see cref="Port"/>.
    /// </summary>
    public DnsEndPoint BridgeEndpoint() =>
        EmbeddedBroker ? new DnsEndPoint(EmbeddedBrokerAddress.ToString(), EmbeddedBrokerPort) : new DnsEndPoint(Host, Port);
}
