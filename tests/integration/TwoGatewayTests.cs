using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>A second gateway (Kestrel + silo) in this process, joining <paramref name="first"/>'s cluster with the same admin key.</summary>
public sealed class JoiningGatewayFixture(GatewayFixture first) : GatewayFixture
{
    public override string ClusterId => first.ClusterId;

    public override string AdminKey => first.AdminKey;

    protected override string[] ExtraArguments() => [$"--Orleans:PrimarySiloPort={first.SiloPort}"];
}

/// <summary>
/// Connection control across gateways (docs/security.md): two gateways in one cluster. A device connected to one is
/// cut off within a second when an admin revokes its key on the other, and a device that connects again on the
/// other gateway replaces its first connection (one connection per device, cluster-wide).
/// </summary>
public sealed class TwoGatewayTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly GatewayFixture _one = new();
    private JoiningGatewayFixture _two = null!;

    public async Task InitializeAsync()
    {
        await _one.InitializeAsync();
        _two = new JoiningGatewayFixture(_one);
        await _two.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _two.DisposeAsync();
        await _one.DisposeAsync();
    }

    [Fact]
    public async Task A_key_revoked_on_one_gateway_cuts_the_device_off_on_the_other_and_a_newer_connection_replaces_the_older()
    {
        using var admin = _one.AdminClient();
        var clusterSilos = await admin.GetStringAsync("/v1/cluster");
        output.WriteLine(clusterSilos);

        var key = await _one.ProvisionAsync("two-gw-dev");
        await using var first = await DeviceTestClient.ConnectAsync(_one.BaseUrl, "two-gw-dev", key);
        await first.StartAsync();
        // Connected again, on the other gateway: the first connection is closed by its own gateway.
        await using var second = await DeviceTestClient.ConnectAsync(_two.BaseUrl, "two-gw-dev", key);
        await second.StartAsync();
        var replaced = Stopwatch.StartNew();
        await WaitClosedAsync(first, TimeSpan.FromSeconds(3));
        output.WriteLine($"first connection closed {replaced.ElapsedMilliseconds} ms after the second started: {first.State} '{first.CloseReason}'");
        Assert.NotEqual(WebSocketState.Open, first.State);
        Assert.Contains("replaced", first.CloseReason);
        Assert.Equal(WebSocketState.Open, second.State);

        // Revoked through gateway one; the device is on gateway two.
        using var revoke = await admin.DeleteAsync("/v1/devices/two-gw-dev");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var revoked = Stopwatch.StartNew();
        await WaitClosedAsync(second, TimeSpan.FromSeconds(3));
        output.WriteLine($"cut off on the other gateway {revoked.ElapsedMilliseconds} ms after the DELETE returned: {second.State} '{second.CloseReason}'");
        Assert.NotEqual(WebSocketState.Open, second.State);
        Assert.Contains("revoked", second.CloseReason);
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(1), $"{revoked.ElapsedMilliseconds} ms");
    }

    private static async Task WaitClosedAsync(DeviceTestClient device, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit && device.State == WebSocketState.Open)
        {
            try { await device.ReceiveAsync(TimeSpan.FromMilliseconds(50)); }
            catch (Exception) { await Task.Delay(10); } // timeouts, and the close frame (not a protocol frame)
        }
    }
}
