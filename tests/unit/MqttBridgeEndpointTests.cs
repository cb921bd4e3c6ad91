using AncOrleans.Gateway.Mqtt;

namespace AncOrleans.Tests;

/// <summary>The bridge's broker is derived from the options, so the embedded broker's port alone is enough.</summary>
public sealed class MqttBridgeEndpointTests
{
    [Fact]
    public void With_the_embedded_broker_the_bridge_connects_to_its_port_on_loopback_whatever_host_and_port_say()
    {
        var options = new MqttOptions { EmbeddedBroker = true, EmbeddedBrokerPort = 18999, Host = "broker.example", Port = 1883 };
        var broker = options.BridgeEndpoint();
        Assert.Equal("127.0.0.1", broker.Host);
        Assert.Equal(18999, broker.Port);
    }

    [Fact]
    public void With_an_external_broker_the_bridge_connects_to_host_and_port()
    {
        var options = new MqttOptions { EmbeddedBroker = false, EmbeddedBrokerPort = 18999, Host = "broker.example", Port = 8883 };
        var broker = options.BridgeEndpoint();
        Assert.Equal("broker.example", broker.Host);
        Assert.Equal(8883, broker.Port);
    }
}
