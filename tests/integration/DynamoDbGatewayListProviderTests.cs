using System.Net;
using AncOrleans.Aws.DynamoDb;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;

namespace AncOrleans.Tests;

/// <summary>The gateway list external clients read from the DynamoDB membership table, against DynamoDB Local.</summary>
public sealed class DynamoDbGatewayListProviderTests : IAsyncLifetime
{
    private readonly DynamoDbOptions _options = DynamoDbLocal.Options();
    private readonly string _clusterId = $"gw-{Guid.NewGuid():N}";
    private DynamoDbMembershipTable _table = null!;
    private DynamoDbGatewayListProvider _provider = null!;

    public async Task InitializeAsync()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        _table = new DynamoDbMembershipTable(_clusterId, _options, DynamoDbClientFactory.Create(_options), serializer);
        _provider = new DynamoDbGatewayListProvider(
            new DynamoDbMembershipTable(_clusterId, _options, DynamoDbClientFactory.Create(_options), serializer),
            Options.Create(new GatewayOptions { GatewayListRefreshPeriod = TimeSpan.FromSeconds(7) }),
            NullLogger<DynamoDbGatewayListProvider>.Instance);
        await _provider.InitializeGatewayListProvider();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task InsertAsync(int port, int gatewayPort, SiloStatus status)
    {
        var entry = new MembershipEntry
        {
            SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 7),
            Status = status,
            HostName = "host",
            SiloName = $"silo-{port}",
            ProxyPort = gatewayPort,
            StartTime = DateTime.UtcNow,
            IAmAliveTime = DateTime.UtcNow,
            SuspectTimes = [],
        };
        Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
    }

    [Fact]
    public async Task Before_any_silo_created_the_table_the_list_is_empty()
    {
        Assert.Empty(await _provider.GetGateways());
        Assert.Equal(TimeSpan.FromSeconds(7), _provider.MaxStaleness);
    }

    [Fact]
    public async Task Only_active_silos_with_a_gateway_port_are_listed()
    {
        await _table.InitializeMembershipTable(tryInitTableVersion: true);
        await InsertAsync(11111, 30000, SiloStatus.Active);
        await InsertAsync(11112, 30001, SiloStatus.Dead);
        await InsertAsync(11113, 30002, SiloStatus.Joining);
        await InsertAsync(11114, 30003, SiloStatus.ShuttingDown);
        await InsertAsync(11115, 0, SiloStatus.Active);       // a silo without a gateway

        var gateways = await _provider.GetGateways();

        var gateway = Assert.Single(gateways);
        Assert.Equal(SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 30000), 7).ToGatewayUri(), gateway);
        Assert.Equal("gwy.tcp", gateway.Scheme);
        Assert.Equal(30000, gateway.Port);

        // The silo dies: the next read drops it.
        var (entry, etag) = (await _table.ReadAll()).Members.Single(m => m.Item1.SiloAddress.Endpoint.Port == 11111);
        entry.Status = SiloStatus.Dead;
        Assert.True(await _table.UpdateRow(entry, etag, (await _table.ReadAll()).Version.Next()));
        Assert.Empty(await _provider.GetGateways());
    }
}
