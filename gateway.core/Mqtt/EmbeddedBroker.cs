using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Security;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>
/// The local default broker (MQTTnet server), so devices and <c>anc sim --transport mqtt</c> need nothing else. It
/// enforces identity and a per-device topic ACL (docs/security.md):
/// <list type="bullet">
/// <item>a device connects with client id = user name = its device id and its key as password; anonymous and
/// wrong keys are refused, and no device may use the bridge's client id;</item>
/// <item>a device publishes only <c>anc/{id}/audio|control|shadow/update</c>, at most <c>Gateway:MaxMessageBytes</c>, and
/// subscribes only to <c>anc/{id}/antinoise|events|coefficients</c> and <c>anc/{id}/shadow/…</c>; a refused publish is
/// told to the device as an <c>error</c> event on its own events topic (and a PUBACK reason under MQTT 5);</item>
/// <item>only the bridge (<see cref="BridgeIdentity"/>) publishes anti-noise, events, coefficients and alerts.</item>
/// </list>
/// A second connection with the same id takes over (MQTT's own rule); a revoked key is disconnected by <see cref="DisconnectAsync"/>.
/// </summary>
public sealed class EmbeddedBroker(IOptions<MqttOptions> options, IOptions<GatewayOptions> gatewayOptions, BridgeIdentity bridge,
    DeviceAuthenticator authenticator, GatewayMetrics metrics, ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private static readonly string[] DevicePublishes = ["audio", "control", "shadow/update"];
    private static readonly string[] DeviceSubscribes = ["antinoise", "events", "coefficients"];

    private MqttServer? _server;

    /// <summary>A device's client left the broker (not when a newer connection took its place).</summary>
    public event Action<string>? DeviceDisconnected;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !settings.EmbeddedBroker) return;
        var factory = new MqttServerFactory();
        var builder = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(MqttOptions.EmbeddedBrokerAddress)
            .WithDefaultEndpointPort(settings.EmbeddedBrokerPort);
        if (settings.EmbeddedBrokerCertificatePath is { Length: > 0 } certificate)
            builder = builder.WithEncryptedEndpoint()
                .WithEncryptedEndpointBoundIPAddress(System.Net.IPAddress.Any)
                .WithEncryptedEndpointPort(settings.EmbeddedBrokerTlsPort)
                .WithEncryptionCertificate(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(certificate, settings.EmbeddedBrokerCertificatePassword))
                .WithEncryptionSslProtocol(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);
        var serverOptions = builder.Build();
        _server = factory.CreateMqttServer(serverOptions);
        _server.ValidatingConnectionAsync += ValidateConnectionAsync;
        _server.InterceptingPublishAsync += InterceptPublishAsync;
        _server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        _server.ClientDisconnectedAsync += e =>
        {
            if (e.DisconnectType != MqttClientDisconnectType.Takeover && e.ClientId != bridge.ClientId) DeviceDisconnected?.Invoke(e.ClientId);
            return Task.CompletedTask;
        };
        await _server.StartAsync();
        logger.LogInformation("Embedded MQTT broker on {Address}:{Port}{Tls}", MqttOptions.EmbeddedBrokerAddress, settings.EmbeddedBrokerPort,
            settings.EmbeddedBrokerCertificatePath is { Length: > 0 } ? $", and with TLS on 0.0.0.0:{settings.EmbeddedBrokerTlsPort}" : "");
    }

    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs e)
    {
        if (bridge.IsBridge(e.ClientId, e.UserName, e.Password)) return;
        if (e.UserName == BridgeIdentity.EmbeddedUsername || e.ClientId == bridge.ClientId)
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, "this client id and user are the gateway bridge's");
            return;
        }
        if (!DeviceId.TryParse(e.ClientId, out _, out var badId))
        {
            Refuse(e, MqttConnectReasonCode.ClientIdentifierNotValid, $"the client id must be the device id: {badId}");
            return;
        }
        if (string.IsNullOrEmpty(e.UserName) && string.IsNullOrEmpty(e.Password))
        {
            Refuse(e, MqttConnectReasonCode.NotAuthorized, "anonymous clients are refused: user name = device id, password = the device key");
            metrics.AuthRefused.Add(1);
            return;
        }
        if (e.UserName != e.ClientId)
        {
            Refuse(e, MqttConnectReasonCode.BadUserNameOrPassword, "the user name must equal the client id (the device id)");
            metrics.AuthRefused.Add(1);
            return;
        }
        var result = await authenticator.VerifyAsync(e.ClientId, e.Password, (e.RemoteEndPoint as System.Net.IPEndPoint)?.Address.ToString());
        if (!result.Ok) Refuse(e, result.Throttled ? MqttConnectReasonCode.QuotaExceeded : MqttConnectReasonCode.BadUserNameOrPassword, result.Reason!);
    }

    private void Refuse(ValidatingConnectionEventArgs e, MqttConnectReasonCode code, string reason)
    {
        e.ReasonCode = code;
        e.ReasonString = reason;
        logger.LogInformation("MQTT connect refused for client {Client}: {Reason}", e.ClientId, reason);
    }

    private Task InterceptPublishAsync(InterceptingPublishEventArgs e)
    {
        // No device may connect with the bridge's client id, so the id alone names it (and the events injected below).
        if (e.ClientId == bridge.ClientId) return Task.CompletedTask;
        var topic = e.ApplicationMessage.Topic;
        var id = e.ClientId;
        string? refusal = null;
        if (!topic.StartsWith($"anc/{id}/", StringComparison.Ordinal) || !DevicePublishes.Contains(topic[($"anc/{id}/".Length)..]))
            refusal = $"not allowed to publish to '{topic}': device '{id}' publishes only anc/{id}/audio, anc/{id}/control and anc/{id}/shadow/update";
        else if (e.ApplicationMessage.Payload.Length > gatewayOptions.Value.MaxMessageBytes)
            refusal = $"oversize message: {e.ApplicationMessage.Payload.Length} bytes, more than {gatewayOptions.Value.MaxMessageBytes}";
        if (refusal is null) return Task.CompletedTask;
        e.ProcessPublish = false;
        e.Response.ReasonCode = refusal.StartsWith("oversize", StringComparison.Ordinal) ? MqttPubAckReasonCode.PayloadFormatInvalid : MqttPubAckReasonCode.NotAuthorized;
        e.Response.ReasonString = refusal;
        metrics.AccessRefused.Add(1);
        return TellAsync(id, refusal);
    }

    private Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs e)
    {
        if (e.ClientId == bridge.ClientId) return Task.CompletedTask;
        var filter = e.TopicFilter.Topic;
        var own = $"anc/{e.ClientId}/";
        var rest = filter.StartsWith(own, StringComparison.Ordinal) ? filter[own.Length..] : null;
        if (rest is not null && (DeviceSubscribes.Contains(rest) || rest.StartsWith("shadow/", StringComparison.Ordinal))) return Task.CompletedTask;
        e.ProcessSubscription = false;
        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        e.Response.ReasonString = $"not allowed to subscribe to '{filter}': device '{e.ClientId}' subscribes only to {own}antinoise, events, coefficients and {own}shadow/#";
        metrics.AccessRefused.Add(1);
        return TellAsync(e.ClientId, e.Response.ReasonString);
    }

    /// <summary>An <c>error</c> event on the device's own events topic: MQTT 3.1.1 has no other way to say why.</summary>
    private Task TellAsync(string deviceId, string reason)
    {
        if (_server is null || !DeviceId.TryParse(deviceId, out _, out _)) return Task.CompletedTask;
        var message = new MqttApplicationMessageBuilder().WithTopic($"anc/{deviceId}/events")
            .WithPayload(new ControlMessage { Type = "error", Reason = reason }.ToUtf8()).Build();
        return _server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = bridge.ClientId });
    }

    /// <summary>Disconnects a device's client (revoked or rotated key), telling it why under MQTT 5. No-op if not connected.</summary>
    public async Task DisconnectAsync(string deviceId, string reason)
    {
        if (_server is null) return;
        try
        {
            await _server.DisconnectClientAsync(deviceId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.NotAuthorized, ReasonString = reason });
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NullReferenceException)
        {
            // not connected here
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }

    public void Dispose() => _server?.Dispose();
}
