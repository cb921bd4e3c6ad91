using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace AncOrleans.Tests;

/// <summary>An anomaly a session's stats raise reaches an operator on <c>anc/ops/{id}</c> through the bridge and a real Mosquitto.</summary>
[Collection(MosquittoCollection.Name)]
public sealed class OperatorEventsTests(MosquittoGatewayFixture gateway)
{
    [Fact]
    public async Task Filter_resets_in_a_row_raise_an_operator_event_on_mqtt()
    {
        var received = Channel.CreateUnbounded<(string Topic, byte[] Payload)>();
        using var operatorClient = new MqttClientFactory().CreateMqttClient();
        operatorClient.ApplicationMessageReceivedAsync += e =>
        {
            received.Writer.TryWrite((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        await operatorClient.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.MqttPort).WithClientId("operator-" + Guid.NewGuid().ToString("N")[..6]).Build());
        await operatorClient.SubscribeAsync("anc/ops/#");

        // The recorder's real path from a session's stats on: three filter resets within a minute.
        var id = "ops-" + Guid.NewGuid().ToString("N")[..8];
        var session = gateway.Services.GetRequiredService<AnalyticsRecorder>().Open(id);
        session.Analytics.Started("antinoise");
        for (var resets = 0; resets <= 3; resets++)
            session.Tick(new SessionStats(id, 100, 100, 0, 20, 20, ConvergenceState.Converged, "hybrid", "antinoise", 1, resets, 0, null) { NoiseEnergy = 1 + resets, ResidualEnergy = 0.01 * (1 + resets) },
                new FrameCounts(100, 100, 0, 0, 0, 0, 0, 0));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (topic, payload) = await received.Reader.ReadAsync(timeout.Token);
        Assert.Equal($"anc/ops/{id}", topic);
        using var json = JsonDocument.Parse(payload);
        Assert.Equal("anomaly", json.RootElement.GetProperty("type").GetString());
        Assert.Equal("filter-resets", json.RootElement.GetProperty("kind").GetString());
        Assert.Contains("3 filter resets", json.RootElement.GetProperty("detail").GetString());
    }
}
