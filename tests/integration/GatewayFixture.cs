using AncOrleans.Device;
using AncOrleans.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AncOrleans.Tests;

/// <summary>The real gateway (Kestrel + co-hosted silo) on loopback ports, in this process.</summary>
public class GatewayFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The MQTT broker the gateway's bridge uses.</summary>
    public int MqttPort { get; protected set; }

    public int SiloPort { get; } = FreePort();

    public virtual string ClusterId { get; } = $"gw-test-{Guid.NewGuid():N}";

    /// <summary>The admin key the gateway is started with (Auth:AdminKey), as a deployment would set it.</summary>
    public virtual string AdminKey { get; } = $"test-admin-{Guid.NewGuid():N}";

    /// <summary>The reader key (Auth:ReaderKey).</summary>
    public string ReaderKey { get; } = $"test-reader-{Guid.NewGuid():N}";

    public IServiceProvider Services => _app!.Services;

    /// <summary>An HTTP client with the admin key.</summary>
    public HttpClient AdminClient(string? key = null)
    {
        var http = new HttpClient { BaseAddress = BaseUrl };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key ?? AdminKey);
        return http;
    }

    /// <summary>Provisions <paramref name="deviceId"/> through the admin API; returns its key.</summary>
    public async Task<string> ProvisionAsync(string deviceId)
    {
        using var provisioning = new DeviceProvisioning(BaseUrl, AdminKey);
        return await provisioning.CreateAsync(deviceId);
    }

    /// <summary>Provisions a device and connects it over the WebSocket with its key.</summary>
    public async Task<DeviceTestClient> ConnectDeviceAsync(string deviceId) => await DeviceTestClient.ConnectAsync(BaseUrl, deviceId, await ProvisionAsync(deviceId));

    /// <summary>Provisions a device and connects it over MQTT with its key.</summary>
    public async Task<MqttDeviceClient> ConnectMqttDeviceAsync(string deviceId) => await MqttDeviceClient.ConnectAsync(MqttPort, deviceId, await ProvisionAsync(deviceId));

    /// <summary>Configuration for the MQTT side; by default the embedded broker on a free port (the bridge follows it).</summary>
    protected virtual string[] MqttArguments()
    {
        MqttPort = FreePort();
        return [$"--Mqtt:EmbeddedBrokerPort={MqttPort}"];
    }

    /// <summary>
    /// Failed authentications per client address per minute (Auth:MaxFailuresPerMinute): every test here comes from
    /// 127.0.0.1 and many fail on purpose, so the shared gateway allows plenty; <see cref="AuthThrottleTests"/> has its own.
    /// </summary>
    protected virtual int MaxAuthFailuresPerMinute => 1_000_000;

    /// <summary>More configuration, last (it overrides what is above).</summary>
    protected virtual string[] ExtraArguments() => [];

    /// <summary>More services for a fixture of its own (after the gateway's).</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder([
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={SiloPort}", $"--Orleans:GatewayPort={FreePort()}", $"--Orleans:ClusterId={ClusterId}",
            "--Gateway:MaxMessageBytes=65536", "--Gateway:StatsIntervalSeconds=0.2", "--Gateway:IdleTimeoutSeconds=3", "--Auth:KeyHashIterations=1000",
            "--Gateway:WarmupDevices=4", "--Gateway:WarmupSeconds=0.5", // the rehearsal runs, small: the tests share two cores
            $"--Auth:AdminKey={AdminKey}", $"--Auth:ReaderKey={ReaderKey}", "--Auth:AllowedOrigins:0=https://app.example.com",
            "--Logging:LogLevel:Default=Warning", $"--Auth:MaxFailuresPerMinute={MaxAuthFailuresPerMinute}",
            .. MqttArguments(),
            .. ExtraArguments(),
        ]);
        builder.AddAncGateway();
        Configure(builder);
        _app = builder.Build();
        _app.MapAncGateway();
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
        await _app.Services.GetRequiredService<GatewayWarmup>().Completed;
        var bridge = _app.Services.GetRequiredService<AncOrleans.Gateway.Mqtt.MqttBridge>().Connected;
        if (await Task.WhenAny(bridge, Task.Delay(TimeSpan.FromSeconds(15))) != bridge)
            throw new InvalidOperationException($"The MQTT bridge did not connect to 127.0.0.1:{MqttPort} within 15 s (.ci/run starts Mosquitto on 18830).");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    public static int FreePort() => LoopbackPorts.Free();
}

/// <summary>Real-time tests live here: the collection runs alone, so other tests' CPU cannot make frames late.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}

/// <summary>The gateway bridging a real Mosquitto broker (started by .ci/run on 127.0.0.1:18830, or ANC_MOSQUITTO_PORT).</summary>
public sealed class MosquittoGatewayFixture : GatewayFixture
{
    protected override string[] MqttArguments()
    {
        MqttPort = int.TryParse(Environment.GetEnvironmentVariable("ANC_MOSQUITTO_PORT"), out var port) ? port : 18830;
        // Its own bridge client id: two gateways in one process would otherwise share the default (pid-based) one and
        // take each other's session over on the broker.
        return ["--Mqtt:EmbeddedBroker=false", "--Mqtt:Host=127.0.0.1", $"--Mqtt:Port={MqttPort}", $"--Mqtt:ClientId=anc-gateway-test-{Guid.NewGuid():N}"];
    }
}

/// <summary>
/// The tests that bridge the shared Mosquitto: one gateway for all of them, one test at a time (two gateways bridging the
/// same broker would both answer every device's audio).
/// </summary>
[CollectionDefinition(Name)]
public sealed class MosquittoCollection : ICollectionFixture<MosquittoGatewayFixture>
{
    public const string Name = "mosquitto";
}

/// <summary>A gateway of its own, for the test that adds a separate silo process to its cluster.</summary>
public sealed class TwoProcessGatewayFixture : GatewayFixture;
