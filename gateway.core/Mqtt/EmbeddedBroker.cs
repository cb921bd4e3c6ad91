using Microsoft.Extensions.Options;
using MQTTnet.Server;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>The local default broker (MQTTnet server), so devices and <c>anc sim --transport mqtt</c> need nothing else.</summary>
public sealed class EmbeddedBroker(IOptions<MqttOptions> options, ILogger<EmbeddedBroker> logger) : IHostedService, IDisposable
{
    private MqttServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled || !settings.EmbeddedBroker) return;
        var factory = new MqttServerFactory();
        var serverOptions = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(MqttOptions.EmbeddedBrokerAddress)
            .WithDefaultEndpointPort(settings.EmbeddedBrokerPort)
            .Build();
        _server = factory.CreateMqttServer(serverOptions);
        await _server.StartAsync();
        logger.LogInformation("Embedded MQTT broker on {Address}:{Port}", MqttOptions.EmbeddedBrokerAddress, settings.EmbeddedBrokerPort);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null) await _server.StopAsync();
    }

    public void Dispose() => _server?.Dispose();
}
