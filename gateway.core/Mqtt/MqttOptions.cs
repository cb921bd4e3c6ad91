namespace AncOrleans.Gateway.Mqtt;

/// <summary>
/// Section <c>Mqtt</c>. By default the gateway runs its own broker (MQTTnet) on 1883 and bridges it; in
/// production point <c>Host</c>/<c>Port</c> at Mosquitto or AWS IoT Core (TLS with a client certificate).
/// </summary>
public sealed class MqttOptions
{
    public const string Section = "Mqtt";

    public bool Enabled { get; set; } = true;

    /// <summary>Run an MQTT broker inside the gateway (the local default).</summary>
    public bool EmbeddedBroker { get; set; } = true;

    public int EmbeddedBrokerPort { get; set; } = 1883;

    /// <summary>The broker the bridge connects to.</summary>
    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 1883;

    public string ClientId { get; set; } = $"anc-gateway-{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>TLS (AWS IoT Core: port 8883 and a client certificate).</summary>
    public bool UseTls { get; set; }

    /// <summary>PKCS#12 client certificate for TLS client authentication (AWS IoT Core).</summary>
    public string? ClientCertificatePath { get; set; }

    public string? ClientCertificatePassword { get; set; }
}
