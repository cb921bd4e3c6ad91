using System.Buffers;
using System.Net.WebSockets;
using AncOrleans.Abstractions.Protocol;
using MQTTnet;

namespace AncOrleans.Device;

/// <summary>How a simulated device reaches the gateway: the same messages over WebSocket or MQTT.</summary>
public abstract class DeviceLink : IAsyncDisposable
{
    // The protocol's JSON is ready before the first message arrives (ControlMessage.Prepare: once per process).
    protected DeviceLink() => ControlMessage.Prepare();

    /// <summary>Called for each message from the gateway: (payload, isText).</summary>
    public Action<ReadOnlyMemory<byte>, bool>? Received { get; set; }

    public abstract Task SendTextAsync(byte[] json, CancellationToken cancel);

    public abstract Task SendBinaryAsync(byte[] frame, CancellationToken cancel);

    public abstract ValueTask DisposeAsync();
}

/// <summary><c>/v1/devices/{id}/stream</c>, authenticated with the device's key (<c>Authorization: Bearer</c>).</summary>
public sealed class WebSocketLink : DeviceLink
{
    private readonly ClientWebSocket _socket = new();
    private Task _receive = Task.CompletedTask;

    public static async Task<WebSocketLink> ConnectAsync(Uri server, string deviceId, string key, CancellationToken cancel)
    {
        var link = new WebSocketLink();
        link._socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        var endpoint = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = $"/v1/devices/{deviceId}/stream" }.Uri;
        await link._socket.ConnectAsync(endpoint, cancel);
        link._receive = link.ReceiveLoopAsync(cancel);
        return link;
    }

    public override Task SendTextAsync(byte[] json, CancellationToken cancel) => _socket.SendAsync(json, WebSocketMessageType.Text, true, cancel);

    public override Task SendBinaryAsync(byte[] frame, CancellationToken cancel) => _socket.SendAsync(frame, WebSocketMessageType.Binary, true, cancel);

    private async Task ReceiveLoopAsync(CancellationToken cancel)
    {
        var buffer = new byte[1 << 16];
        while (_socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close) return;
            Received?.Invoke(buffer.AsMemory(0, length), result.MessageType == WebSocketMessageType.Text);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }
}

/// <summary>
/// <c>anc/{id}/control</c> and <c>anc/{id}/audio</c> out; <c>anc/{id}/antinoise</c>, <c>anc/{id}/coefficients</c> and
/// <c>anc/{id}/events</c> in. Client id and user name are the device id, the password its key.
/// </summary>
public sealed class MqttLink(string deviceId) : DeviceLink
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public static async Task<MqttLink> ConnectAsync(string host, int port, string deviceId, string key, CancellationToken cancel)
    {
        var link = new MqttLink(deviceId);
        link._client.ApplicationMessageReceivedAsync += e =>
        {
            var text = e.ApplicationMessage.Topic.EndsWith("/events", StringComparison.Ordinal);
            link.Received?.Invoke(e.ApplicationMessage.Payload.ToArray(), text);
            return Task.CompletedTask;
        };
        await link._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(deviceId).WithCredentials(deviceId, key).Build(), cancel);
        await link._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"anc/{deviceId}/antinoise").WithTopicFilter($"anc/{deviceId}/coefficients").WithTopicFilter($"anc/{deviceId}/events").Build(), cancel);
        return link;
    }

    public override Task SendTextAsync(byte[] json, CancellationToken cancel) => Publish("control", json, cancel);

    public override Task SendBinaryAsync(byte[] frame, CancellationToken cancel) => Publish("audio", frame, cancel);

    private Task Publish(string subtopic, byte[] payload, CancellationToken cancel) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"anc/{deviceId}/{subtopic}").WithPayload(payload).Build(), cancel);

    public override async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}
