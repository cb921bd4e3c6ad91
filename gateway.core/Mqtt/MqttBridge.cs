using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Devices;
using Microsoft.Extensions.Options;
using MQTTnet;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>
/// Bridges MQTT devices to their sessions (docs/protocol.md):
/// <c>anc/{id}/audio</c> (the binary frame of the WebSocket protocol), <c>anc/{id}/control</c> (JSON: start,
/// or base64 audio) and <c>anc/{id}/shadow/update</c> (device-shadow semantics, kept in the device grain) in;
/// <c>anc/{id}/antinoise</c>, <c>anc/{id}/events</c> and <c>anc/{id}/shadow/update/accepted|rejected</c> out.
/// Each device gets a <see cref="DeviceSession"/>, so ordering, deadlines and errors are the WebSocket's.
/// </summary>
public sealed class MqttBridge(IOptions<MqttOptions> mqttOptions, IOptions<GatewayOptions> gatewayOptions, IGrainFactory grains,
    SessionRegistry registry, GatewayMetrics metrics, AlertWebhook webhook, ILogger<MqttBridge> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, DeviceSession> _devices = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMqttClient? _client;
    private CancellationToken _stopping;

    /// <summary>Completes once the bridge has connected and subscribed the first time.</summary>
    public Task Connected => _connected.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = mqttOptions.Value;
        if (!settings.Enabled) return;
        _stopping = stoppingToken;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var broker = settings.BridgeEndpoint();
        var builder = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(settings.ClientId).WithCleanSession();
        if (settings.UseTls)
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (settings.ClientCertificatePath is { } path)
                    tls.WithClientCertificates([X509CertificateLoader.LoadPkcs12FromFile(path, settings.ClientCertificatePassword)]);
            });
        var options = builder.Build();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(options, stoppingToken);
                    await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter("anc/+/audio").WithTopicFilter("anc/+/control").WithTopicFilter("anc/+/shadow/update").Build(), stoppingToken);
                    logger.LogInformation("MQTT bridge connected to {Host}:{Port}", broker.Host, broker.Port);
                    _connected.TrySetResult();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("MQTT bridge cannot reach {Host}:{Port}: {Reason}; retrying", broker.Host, broker.Port, e.Message);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var parts = e.ApplicationMessage.Topic.Split('/');
        if (parts.Length < 3 || parts[0] != "anc") return;
        if (!DeviceId.TryParse(parts[1], out var id, out _)) return;
        var deviceId = id.Value;
        var message = e.ApplicationMessage.Payload;
        var device = _devices.GetOrAdd(deviceId, Open);
        try
        {
            switch (string.Join('/', parts[2..]))
            {
                case "audio":
                    // Parsed (and its PCM copied once) before this handler returns and MQTTnet reuses the buffer.
                    device.HandleBinary(message.IsSingleSegment ? message.First : message.ToArray(), Stopwatch.GetTimestamp());
                    break;
                case "control":
                    await device.HandleTextAsync(message.ToArray());
                    break;
                case "shadow/update":
                    await UpdateShadowAsync(deviceId, device, message.ToArray());
                    break;
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // A failing silo must not take the bridge down; the device hears about its frames through events.
            logger.LogWarning("MQTT message on {Topic} failed: {Reason}", e.ApplicationMessage.Topic, error.Message);
        }
    }

    private DeviceSession Open(string deviceId)
    {
        var device = new DeviceSession(deviceId, grains, gatewayOptions, metrics, webhook);
        registry.Add(deviceId);
        _ = device.RunAsync(_stopping);
        _ = PublishLoopAsync(deviceId, device);
        return device;
    }

    private async Task PublishLoopAsync(string deviceId, DeviceSession device)
    {
        try
        {
            await foreach (var (payload, text) in device.Outbound.Reader.ReadAllAsync(_stopping))
            {
                if (_client is not { IsConnected: true }) continue;
                await _client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic($"anc/{deviceId}/{(text ? "events" : CoefficientMessage.IsCoefficients(payload) ? "coefficients" : "antinoise")}").WithPayload(payload).Build(), _stopping);
                // Alerts also go to anc/alerts/{id}, where an AWS IoT rule forwards them to SNS.
                if (text && payload.AsSpan().IndexOf("\"type\":\"alert\""u8) >= 0)
                    await _client.PublishAsync(new MqttApplicationMessageBuilder()
                        .WithTopic($"anc/alerts/{deviceId}").WithPayload(payload).Build(), _stopping);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Device-shadow semantics (as AWS IoT's): <c>{"state":{"desired":{…start fields…}}}</c> is stored in the
    /// device grain and applied to the session; <c>reported</c> is what the session now runs.
    /// </summary>
    private async Task UpdateShadowAsync(string deviceId, DeviceSession device, byte[] payload)
    {
        var shadowGrain = grains.GetGrain<IDeviceGrain>(deviceId);
        string topic;
        string body;
        try
        {
            using var document = JsonDocument.Parse(payload);
            var desired = document.RootElement.GetProperty("state").GetProperty("desired");
            var start = JsonSerializer.Deserialize<Abstractions.Protocol.ControlMessage>(desired.GetRawText())! with { Type = "start" };
            var shadow = await shadowGrain.UpdateDesiredAsync(desired.GetRawText());
            await device.HandleTextAsync(start.ToUtf8());
            var stats = await grains.GetGrain<ISessionGrain>(deviceId).GetStatsAsync();
            var reported = JsonSerializer.Serialize(new { mode = stats.Mode, algorithm = stats.Algorithm, delayMs = start.DelayMs, sampleRate = start.SampleRate });
            shadow = await shadowGrain.ReportAsync(reported);
            topic = "accepted";
            body = $"{{\"state\":{{\"desired\":{shadow.Desired},\"reported\":{shadow.Reported}}},\"version\":{shadow.Version}}}";
        }
        catch (Exception error) when (error is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            topic = "rejected";
            body = JsonSerializer.Serialize(new { code = 400, message = $"bad shadow document: {error.Message}" });
        }
        if (_client is { IsConnected: true })
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"anc/{deviceId}/shadow/update/{topic}")
                .WithPayload(Encoding.UTF8.GetBytes(body)).Build(), _stopping);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var device in _devices.Values) device.Complete();
        if (_client is { IsConnected: true }) await _client.DisconnectAsync(cancellationToken: cancellationToken);
        await base.StopAsync(cancellationToken);
    }
}
