using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AncOrleans.Abstractions.Protocol;
using MQTTnet;

namespace AncOrleans.Tests;

/// <summary>The embedded broker with a server certificate (Mqtt:EmbeddedBrokerCertificatePath): TLS on its own port.</summary>
public sealed class TlsGatewayFixture : GatewayFixture
{
    public int TlsPort { get; } = FreePort();

    public X509Certificate2 Certificate { get; } = CreateCertificate();

    private string _pfx = "";

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    protected override string[] ExtraArguments()
    {
        _pfx = Path.Combine(Path.GetTempPath(), $"anc-mqtt-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(_pfx, Certificate.Export(X509ContentType.Pfx, "pfx-password"));
        return [$"--Mqtt:EmbeddedBrokerCertificatePath={_pfx}", "--Mqtt:EmbeddedBrokerCertificatePassword=pfx-password", $"--Mqtt:EmbeddedBrokerTlsPort={TlsPort}"];
    }
}

/// <summary>A device connects to the embedded broker over TLS with its key and streams; the certificate is the configured one.</summary>
public sealed class MqttTlsTests(TlsGatewayFixture gateway) : IClassFixture<TlsGatewayFixture>
{
    [Fact]
    public async Task A_device_connects_over_tls_with_its_key_and_its_session_starts()
    {
        const string id = "tls-device";
        var key = await gateway.ProvisionAsync(id);
        using var client = new MqttClientFactory().CreateMqttClient();
        var events = new TaskCompletionSource<string>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var text = System.Text.Encoding.UTF8.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            if (text.Contains("\"started\"", StringComparison.Ordinal)) events.TrySetResult(text);
            return Task.CompletedTask;
        };
        string? presented = null;
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.TlsPort).WithClientId(id).WithCredentials(id, key)
            .WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(context =>
            {
                // Self-signed for the test: trusted because it is the certificate the gateway was given.
                presented = context.Certificate?.GetCertHashString();
                return context.Certificate?.GetCertHashString() == gateway.Certificate.Thumbprint;
            }))
            .Build();
        var connected = await client.ConnectAsync(options);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        Assert.Equal(gateway.Certificate.Thumbprint, presented);
        await client.SubscribeAsync($"anc/{id}/events");
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic($"anc/{id}/control")
            .WithPayload(new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, DelayMs = 20 }.ToUtf8()).Build());
        Assert.Contains("\"started\"", await events.Task.WaitAsync(TimeSpan.FromSeconds(15)));

        // The TLS port still wants the key.
        using var intruder = new MqttClientFactory().CreateMqttClient();
        var refused = await Record.ExceptionAsync(() => intruder.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.TlsPort)
            .WithClientId(id).WithCredentials(id, "anc_dk_wrong").WithTlsOptions(tls => tls.UseTls().WithCertificateValidationHandler(_ => true)).Build()));
        Assert.True(refused is not null || !intruder.IsConnected);
        await client.DisconnectAsync();
    }
}
