using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Tests;

/// <summary>MQTT devices through the gateway's bridge: the embedded broker, and a real Mosquitto.</summary>
public abstract class MqttBridgeTests(GatewayFixture gateway)
{
    [Fact]
    public async Task A_frame_published_on_audio_comes_back_on_antinoise()
    {
        var id = "mqtt-" + Guid.NewGuid().ToString("N")[..8];
        await using var device = await gateway.ConnectMqttDeviceAsync(id);
        await device.PublishJsonAsync("control", new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, Format = "float32", DelayMs = 20 });
        await device.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "started"));
        await device.PublishAsync("audio", DeviceTestClient.AudioFrame(42, timestampUs: 5_000_000));
        var reply = await device.NextAsync("antinoise");
        Assert.True(WireFrame.TryParse(reply, out var frame, out var error), error);
        Assert.Equal(42u, frame.Sequence);
        Assert.Equal(5_020_000, frame.TimestampUs);

        await device.PublishAsync("audio", DeviceTestClient.AudioFrame(43, 0)[..10]);
        var bad = JsonSerializer.Deserialize<ControlMessage>(await device.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "error")))!;
        Assert.Contains("truncated header", bad.Reason);
    }

    [Fact]
    public async Task A_shadow_update_configures_the_session_and_reports_it()
    {
        var id = "shadow-" + Guid.NewGuid().ToString("N")[..8];
        await using var device = await gateway.ConnectMqttDeviceAsync(id);
        await device.PublishAsync("shadow/update", Encoding.UTF8.GetBytes("{\"state\":{\"desired\":{\"sampleRate\":48000,\"algorithm\":\"nlms\",\"delayMs\":30}}}"));
        var accepted = Encoding.UTF8.GetString(await device.NextAsync("shadow/update/accepted"));
        Assert.Contains("\"reported\":{\"mode\":\"antinoise\",\"algorithm\":\"nlms\",\"delayMs\":30", accepted);
        await device.PublishAsync("shadow/update", Encoding.UTF8.GetBytes("{\"state\":{}}"));
        Assert.Contains("bad shadow document", Encoding.UTF8.GetString(await device.NextAsync("shadow/update/rejected")));
    }
}

[Collection(GatewayCollection.Name)]
public sealed class EmbeddedBrokerTests(GatewayFixture gateway) : MqttBridgeTests(gateway);

[Collection(MosquittoCollection.Name)]
public sealed class MosquittoTests(MosquittoGatewayFixture gateway) : MqttBridgeTests(gateway);
