using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AncOrleans.Abstractions.Protocol;
using MQTTnet;

namespace AncOrleans.Tests;

/// <summary>A device on MQTT, for tests: publishes control/audio/shadow, collects what the gateway publishes back.</summary>
public sealed class MqttDeviceClient : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<(string Topic, byte[] Payload)> _received = Channel.CreateUnbounded<(string, byte[])>();
    private readonly string _device;

    private MqttDeviceClient(string device) => _device = device;

    /// <summary>
    /// Connects as <paramref name="device"/> (client id and user name) with its key, and subscribes to what a device
    /// may: its anti-noise, events, coefficients and shadow replies.
    /// </summary>
    public static async Task<MqttDeviceClient> ConnectAsync(int port, string device, string key)
    {
        var client = new MqttDeviceClient(device);
        client._client.ApplicationMessageReceivedAsync += e =>
        {
            client._received.Writer.TryWrite((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await client._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(device).WithCredentials(device, key).Build(), timeout.Token);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"No MQTT broker on 127.0.0.1:{port} ({e.Message}). .ci/run starts Mosquitto there.", e);
        }
        await client._client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"anc/{device}/antinoise").WithTopicFilter($"anc/{device}/events")
            .WithTopicFilter($"anc/{device}/coefficients").WithTopicFilter($"anc/{device}/shadow/#").Build());
        return client;
    }

    public IMqttClient Client => _client;

    /// <summary>Publishes to any topic (attacks: another device's topics).</summary>
    public Task PublishToAsync(string topic, byte[] payload) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).Build());

    public Task PublishAsync(string subtopic, byte[] payload) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"anc/{_device}/{subtopic}").WithPayload(payload).Build());

    public Task PublishJsonAsync(string subtopic, object message) => PublishAsync(subtopic, JsonSerializer.SerializeToUtf8Bytes(message));

    /// <summary>The next message on anc/{device}/{subtopic}, skipping others (stats, our own publications).</summary>
    public async Task<byte[]> NextAsync(string subtopic, Func<byte[], bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var (topic, payload) = await _received.Reader.ReadAsync(timeout.Token);
            if (topic == $"anc/{_device}/{subtopic}" && (match is null || match(payload))) return payload;
        }
    }

    /// <summary>The next message on any of <paramref name="subtopics"/> that <paramref name="match"/> accepts: (subtopic, payload).</summary>
    public async Task<(string Subtopic, byte[] Payload)> NextOfAsync(string[] subtopics, Func<string, byte[], bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var (topic, payload) = await _received.Reader.ReadAsync(timeout.Token);
            var subtopic = topic.StartsWith($"anc/{_device}/", StringComparison.Ordinal) ? topic[($"anc/{_device}/".Length)..] : "";
            if (subtopics.Contains(subtopic) && match(subtopic, payload)) return (subtopic, payload);
        }
    }

    public static bool IsEvent(byte[] payload, string type) =>
        JsonSerializer.Deserialize<ControlMessage>(payload)?.Type == type;

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected) await _client.DisconnectAsync();
        _client.Dispose();
    }
}
