using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
using AncOrleans.Gateway.Devices;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>
/// Bridges MQTT devices to their sessions (docs/protocol.md):
/// <c>anc/{id}/audio</c> (the binary frame of the WebSocket protocol), <c>anc/{id}/control</c> (JSON: start,
/// or base64 audio) and <c>anc/{id}/shadow/update</c> (device-shadow semantics, kept in the device grain) in;
/// <c>anc/{id}/antinoise</c>, <c>anc/{id}/events</c> and <c>anc/{id}/shadow/update/accepted|rejected</c> out.
/// Each device gets a <see cref="DeviceSession"/>, so ordering, deadlines, limits and errors are the WebSocket's.
/// The receive handler never awaits a grain: audio is parsed into the device's queue, control and shadow messages go
/// to the device's own bounded queue and loop, so one device's traffic never delays another's. A device is forgotten
/// when its client leaves the embedded broker, or after <c>Gateway:IdleTimeoutSeconds</c> without a message.
/// </summary>
public sealed class MqttBridge(IOptions<MqttOptions> mqttOptions, IOptions<GatewayOptions> gatewayOptions, IGrainFactory grains,
    SessionRegistry registry, GatewayMetrics metrics, AlertWebhook webhook, BridgeIdentity identity, EmbeddedBroker broker, ILogger<MqttBridge> logger,
    AnalyticsRecorder analytics, OperatorEvents ops) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Lazy<MqttDevice>> _devices = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMqttClient? _client;
    private CancellationToken _stopping;

    private EmbeddedBroker Broker => broker;

    /// <summary>Completes once the bridge has connected and subscribed the first time.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Devices the bridge holds a session for (for tests: nothing stays behind a device that left).</summary>
    public int DeviceCount => _devices.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = mqttOptions.Value;
        if (!settings.Enabled) return;
        _stopping = stoppingToken;
        broker.DeviceDisconnected += id => Forget(id);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        var endpoint = settings.BridgeEndpoint();
        var builder = new MqttClientOptionsBuilder().WithTcpServer(endpoint.Host, endpoint.Port).WithClientId(identity.ClientId).WithCleanSession();
        if (identity.Username is { Length: > 0 } username) builder = builder.WithCredentials(username, identity.Password);
        if (settings.UseTls)
            builder = builder.WithTlsOptions(tls =>
            {
                tls.UseTls();
                if (settings.ClientCertificatePath is { } path)
                    tls.WithClientCertificates([X509CertificateLoader.LoadPkcs12FromFile(path, settings.ClientCertificatePassword)]);
            });
        var options = builder.Build();
        _ = SweepIdleAsync(stoppingToken);
        _ = PublishOpsAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(options, stoppingToken);
                    await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter("anc/+/audio").WithTopicFilter("anc/+/control").WithTopicFilter("anc/+/shadow/update").Build(), stoppingToken);
                    logger.LogInformation("MQTT bridge connected to {Host}:{Port}", endpoint.Host, endpoint.Port);
                    _connected.TrySetResult();
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("MQTT bridge cannot reach {Host}:{Port}: {Reason}; retrying", endpoint.Host, endpoint.Port, e.Message);
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var parts = topic.Split('/');
        if (parts.Length < 3 || parts[0] != "anc") return Task.CompletedTask;
        if (!DeviceId.TryParse(parts[1], out var id, out _)) return Task.CompletedTask;
        var kind = string.Join('/', parts[2..]);
        if (kind is not ("audio" or "control" or "shadow/update")) return Task.CompletedTask;
        var message = e.ApplicationMessage.Payload;
        var device = _devices.GetOrAdd(id.Value, deviceId => new Lazy<MqttDevice>(() => Open(deviceId))).Value;
        // The embedded broker refuses these already; an external broker may not (Mosquitto has no size cap per topic).
        if (message.Length > gatewayOptions.Value.MaxMessageBytes)
        {
            metrics.AccessRefused.Add(1);
            device.Session.Oversize();
            return Task.CompletedTask;
        }
        if (kind == "audio")
        {
            // Parsed (and its PCM copied once) before this handler returns and MQTTnet reuses the buffer.
            device.Session.HandleBinary(message.IsSingleSegment ? message.First : message.ToArray(), Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        }
        if (device.Control.Writer.TryWrite((kind, message.ToArray())))
            device.Busy = false;
        else
        {
            metrics.AccessRefused.Add(1);
            if (!device.Busy)
                device.Session.Refuse($"busy: {gatewayOptions.Value.ControlQueueMessages} control and shadow messages are already waiting; '{kind}' and any more until the queue drains are dropped");
            device.Busy = true;
        }
        return Task.CompletedTask;
    }

    private MqttDevice Open(string deviceId)
    {
        var device = new MqttDevice(this, deviceId, new DeviceSession(deviceId, grains, gatewayOptions, metrics, webhook, analytics, "mqtt"), gatewayOptions.Value.ControlQueueMessages);
        if (registry.Connect(deviceId, device) is { } previous)
        {
            metrics.ConnectionsReplaced.Add(1);
            _ = previous.CloseAsync(DeviceStreamEndpoint.Replaced);
        }
        device.Run = Task.WhenAll(device.Session.RunAsync(_stopping), PublishLoopAsync(device), ControlLoopAsync(device));
        return device;
    }

    /// <summary>Ends the bridge's session for a device that left (or was cut off): queued frames drain, then it is gone.</summary>
    public Task Forget(string deviceId)
    {
        if (!_devices.TryRemove(deviceId, out var lazy) || !lazy.IsValueCreated) return Task.CompletedTask;
        var device = lazy.Value;
        registry.Disconnected(deviceId, device);
        device.Session.Complete();
        device.Control.Writer.TryComplete();
        return device.Run;
    }

    private async Task SweepIdleAsync(CancellationToken cancel)
    {
        var idle = TimeSpan.FromSeconds(gatewayOptions.Value.IdleTimeoutSeconds);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(1, idle.TotalSeconds / 4)));
        try
        {
            while (await timer.WaitForNextTickAsync(cancel))
                foreach (var (id, device) in _devices)
                    if (device.IsValueCreated && Stopwatch.GetElapsedTime(device.Value.Session.LastActivity) > idle)
                    {
                        metrics.ConnectionsClosedIdle.Add(1);
                        _ = Forget(id);
                    }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ControlLoopAsync(MqttDevice device)
    {
        await foreach (var (kind, payload) in device.Control.Reader.ReadAllAsync(_stopping).ConfigureAwait(false))
        {
            try
            {
                if (kind == "control") await device.Session.HandleTextAsync(payload);
                else await UpdateShadowAsync(device.Id, device.Session, payload);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                // A failing silo must not take the bridge down; the device hears about its frames through events.
                logger.LogWarning("MQTT {Kind} for {Device} failed: {Reason}", kind, device.Id, error.Message);
            }
        }
    }

    /// <summary>Session anomalies to <c>anc/ops/{id}</c> (QoS 1), for operators (docs/observability.md, "Analytics and anomalies").</summary>
    private async Task PublishOpsAsync(CancellationToken cancel)
    {
        try
        {
            await foreach (var (deviceId, flag) in ops.Reader.ReadAllAsync(cancel))
            {
                if (_client is not { IsConnected: true }) continue;
                var payload = JsonSerializer.SerializeToUtf8Bytes(new { type = "anomaly", deviceId, kind = flag.Kind, atUtc = flag.AtUtc, detail = flag.Detail });
                try
                {
                    await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(OperatorEvents.Topic(deviceId)).WithPayload(payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancel);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Operator event for {Device} not published: {Reason}", deviceId, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PublishLoopAsync(MqttDevice device)
    {
        try
        {
            await foreach (var (payload, text) in device.Session.Outbound.DrainAsync(_stopping))
            {
                if (_client is not { IsConnected: true }) continue;
                var alert = text && payload.AsSpan().IndexOf("\"type\":\"alert\""u8) >= 0;
                await _client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic($"anc/{device.Id}/{(text ? "events" : CoefficientMessage.IsCoefficients(payload) ? "coefficients" : "antinoise")}").WithPayload(payload)
                    .WithQualityOfServiceLevel(alert ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce).Build(), _stopping);
                // Alerts also go to anc/alerts/{id}, where an AWS IoT rule forwards them to SNS.
                if (alert)
                    await _client.PublishAsync(new MqttApplicationMessageBuilder()
                        .WithTopic($"anc/alerts/{device.Id}").WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), _stopping);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Device-shadow semantics (as AWS IoT's): <c>{"state":{"desired":{…start fields…}}}</c> is applied to the session
    /// and, once the session accepts it, stored in the device grain; <c>reported</c> is what the session now runs.
    /// A missing, null or invalid <c>desired</c> is rejected with the reason, and nothing is stored.
    /// </summary>
    private async Task UpdateShadowAsync(string deviceId, DeviceSession device, byte[] payload)
    {
        var shadowGrain = grains.GetGrain<IDeviceGrain>(deviceId);
        string topic;
        string body;
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("state", out var state) || state.ValueKind != JsonValueKind.Object
                || !state.TryGetProperty("desired", out var desired))
                throw new InvalidOperationException("expected {\"state\":{\"desired\":{…start fields…}}}");
            if (desired.ValueKind != JsonValueKind.Object) throw new InvalidOperationException($"state.desired must be an object, not {desired.ValueKind.ToString().ToLowerInvariant()}");
            var start = JsonSerializer.Deserialize<ControlMessage>(desired.GetRawText())! with { Type = "start" };
            if (await device.StartAsync(start) is { } refused) throw new InvalidOperationException(refused);
            var shadow = await shadowGrain.UpdateDesiredAsync(desired.GetRawText());
            var stats = await grains.GetGrain<ISessionGrain>(deviceId).GetStatsAsync();
            var reported = JsonSerializer.Serialize(new { mode = stats.Mode, algorithm = stats.Algorithm, delayMs = start.DelayMs, sampleRate = start.SampleRate });
            shadow = await shadowGrain.ReportAsync(reported);
            topic = "accepted";
            body = $"{{\"state\":{{\"desired\":{shadow.Desired},\"reported\":{shadow.Reported}}},\"version\":{shadow.Version}}}";
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException)
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
        foreach (var id in _devices.Keys) _ = Forget(id);
        if (_client is { IsConnected: true }) await _client.DisconnectAsync(cancellationToken: cancellationToken);
        await base.StopAsync(cancellationToken);
    }

    /// <summary>One MQTT device's session on the bridge, with its own control queue and loops.</summary>
    private sealed class MqttDevice(MqttBridge bridge, string id, DeviceSession session, int controlQueue) : IDeviceEndpoint
    {
        public string Id => id;

        public DeviceSession Session => session;

        public Channel<(string Kind, byte[] Payload)> Control { get; } =
            Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(controlQueue) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public Task Run { get; set; } = Task.CompletedTask;

        /// <summary>The control queue was full at the last message (one <c>busy</c> error per episode).</summary>
        public bool Busy { get; set; }

        public string Transport => "mqtt";

        public async Task CloseAsync(string reason)
        {
            session.Refuse($"disconnected: {reason}");
            await bridge.Broker.DisconnectAsync(id, reason);
            await bridge.Forget(id).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
