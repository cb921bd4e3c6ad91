using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace AncOrleans.Tests;

/// <summary>
/// The Mosquitto ACL we ship (<c>infra/mosquitto/acl</c>, docs/security.md) on a real Mosquitto started here with a
/// password file, no anonymous clients and <c>use_username_as_clientid</c>: a device reads and writes only its own
/// topics, cannot forge what the bridge sends, and the bridge reads every device's input.
/// </summary>
public sealed class MosquittoAclTests : IAsyncLifetime
{
    private const string BridgePassword = "bridge-secret-1", KeyA = "key-of-device-a", KeyB = "key-of-device-b";
    private readonly string _directory = Directory.CreateTempSubdirectory("anc-mosquitto-acl-").FullName;
    private readonly int _port = GatewayFixture.FreePort();
    private Process? _broker;

    public async Task InitializeAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AncOrleans.sln"))) root = root.Parent;
        var acl = Path.Combine(root!.FullName, "infra", "mosquitto", "acl");
        var passwords = Path.Combine(_directory, "passwd");
        foreach (var (user, password) in new[] { ("anc-bridge", BridgePassword), ("device-a", KeyA), ("device-b", KeyB) })
            Run("mosquitto_passwd", File.Exists(passwords) ? ["-b", passwords, user, password] : ["-c", "-b", passwords, user, password]);
        var config = Path.Combine(_directory, "mosquitto.conf");
        // 'user root': started as root (CI), Mosquitto would otherwise drop to a user that cannot read these files.
        await File.WriteAllTextAsync(config, $"listener {_port} 127.0.0.1\nallow_anonymous false\npassword_file {passwords}\nacl_file {acl}\n" +
            $"use_username_as_clientid true\n{(Environment.UserName == "root" ? "user root\n" : "")}");
        _broker = Process.Start(new ProcessStartInfo("mosquitto", ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        for (var i = 0; i < 100 && !await ListeningAsync(); i++) await Task.Delay(50);
    }

    private async Task<bool> ListeningAsync()
    {
        try
        {
            using var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync("127.0.0.1", _port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static void Run(string file, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file}: {process.StandardError.ReadToEnd()}");
    }

    public Task DisposeAsync()
    {
        _broker?.Kill();
        _broker?.Dispose();
        Directory.Delete(_directory, true);
        return Task.CompletedTask;
    }

    private sealed class Client : IAsyncDisposable
    {
        public readonly IMqttClient Mqtt = new MqttClientFactory().CreateMqttClient();
        public readonly ConcurrentQueue<string> Received = new();

        public Client() => Mqtt.ApplicationMessageReceivedAsync += e =>
        {
            Received.Enqueue($"{e.ApplicationMessage.Topic} {Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray())}");
            return Task.CompletedTask;
        };

        public Task PublishAsync(string topic, string payload) =>
            Mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        public async ValueTask DisposeAsync()
        {
            if (Mqtt.IsConnected) await Mqtt.DisconnectAsync();
            Mqtt.Dispose();
        }
    }

    private async Task<(Client Client, MqttClientConnectResultCode Code)> ConnectAsync(string? user, string? password, params string[] subscriptions)
    {
        var client = new Client();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _port).WithClientId(user ?? "anonymous").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500);
        if (user is not null) options = options.WithCredentials(user, password);
        try
        {
            var result = await client.Mqtt.ConnectAsync(options.Build());
            if (result.ResultCode != MqttClientConnectResultCode.Success) return (client, result.ResultCode);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException)
        {
            return (client, MqttClientConnectResultCode.NotAuthorized);
        }
        foreach (var topic in subscriptions)
            await client.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce).Build());
        return (client, MqttClientConnectResultCode.Success);
    }

    [Fact]
    public async Task Devices_use_only_their_own_topics_and_cannot_forge_the_bridges_messages()
    {
        var (anonymous, anonymousCode) = await ConnectAsync(null, null);
        var (wrong, wrongCode) = await ConnectAsync("device-a", "not-the-key");
        await using (anonymous)
        await using (wrong)
        {
            Assert.NotEqual(MqttClientConnectResultCode.Success, anonymousCode);
            Assert.NotEqual(MqttClientConnectResultCode.Success, wrongCode);
        }

        var (bridge, bridgeCode) = await ConnectAsync("anc-bridge", BridgePassword, "anc/+/audio", "anc/+/control", "anc/+/shadow/update");
        var (a, aCode) = await ConnectAsync("device-a", KeyA, "anc/device-a/antinoise", "anc/device-a/events", "anc/device-a/coefficients", "anc/device-a/shadow/#");
        // device-b tries to read everything, and device-a's events in particular.
        var (b, bCode) = await ConnectAsync("device-b", KeyB, "anc/#", "anc/device-a/events", "anc/+/antinoise", "anc/alerts/+");
        await using (bridge)
        await using (a)
        await using (b)
        {
            Assert.Equal(MqttClientConnectResultCode.Success, bridgeCode);
            Assert.Equal(MqttClientConnectResultCode.Success, aCode);
            Assert.Equal(MqttClientConnectResultCode.Success, bCode);

            // Allowed: the device's input reaches the bridge; the bridge's output reaches the device.
            await a.PublishAsync("anc/device-a/control", "{\"type\":\"ping\"}");
            await bridge.PublishAsync("anc/device-a/events", "{\"type\":\"alert\"}");
            await bridge.PublishAsync("anc/device-a/antinoise", "bridge-antinoise");
            // Refused by the ACL: device-b steering device-a, device-a forging the bridge's anti-noise and events.
            await b.PublishAsync("anc/device-a/control", "{\"type\":\"start\",\"from\":\"b\"}");
            await a.PublishAsync("anc/device-a/antinoise", "forged-antinoise");
            await a.PublishAsync("anc/device-a/events", "{\"type\":\"alert\",\"forged\":true}");
            await b.PublishAsync("anc/alerts/device-a", "{\"forged\":true}");
            await Task.Delay(1000);

            var toBridge = bridge.Received.ToArray();
            var toA = a.Received.ToArray();
            var toB = b.Received.ToArray();
            Assert.Equal(["anc/device-a/control {\"type\":\"ping\"}"], toBridge);
            Assert.Equal(["anc/device-a/events {\"type\":\"alert\"}", "anc/device-a/antinoise bridge-antinoise"], toA.Order().Reverse().ToArray());
            Assert.Empty(toB);
        }
    }
}
