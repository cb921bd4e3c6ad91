using System.Net;
using System.Net.Sockets;
using AncOrleans.Gateway;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AncOrleans.Tests;

/// <summary>The real gateway (Kestrel + co-hosted silo) on loopback ports, in this process.</summary>
public sealed class GatewayFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder([
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={FreePort()}", $"--Orleans:GatewayPort={FreePort()}", $"--Orleans:ClusterId=gw-test-{Guid.NewGuid():N}",
            "--Gateway:MaxMessageBytes=65536", "--Gateway:StatsIntervalSeconds=0.2",
            "--Logging:LogLevel:Default=Warning",
        ]);
        builder.AddAncGateway();
        _app = builder.Build();
        _app.MapAncGateway();
        await _app.StartAsync();
        BaseUrl = new Uri(_app.Urls.First());
        await _app.Services.GetRequiredService<GatewayWarmup>().Completed;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class GatewayCollection : ICollectionFixture<GatewayFixture>
{
    public const string Name = "gateway";
}
