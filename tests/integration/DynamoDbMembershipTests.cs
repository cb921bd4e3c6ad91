using System.Net;
using AncOrleans.Aws.DynamoDb;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;

namespace AncOrleans.Tests;

/// <summary>The DynamoDB membership table's contract, against DynamoDB Local (see DynamoDbStorageTests).</summary>
public sealed class DynamoDbMembershipTests : IAsyncLifetime
{
    private readonly DynamoDbOptions _options = DynamoDbLocal.Options();
    private DynamoDbMembershipTable _table = null!;

    public async Task InitializeAsync()
    {
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        _table = new DynamoDbMembershipTable("cluster-a", _options, DynamoDbClientFactory.Create(_options), serializer);
        await _table.InitializeMembershipTable(tryInitTableVersion: true);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static MembershipEntry Silo(int port, SiloStatus status = SiloStatus.Active, DateTime? alive = null) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1),
        Status = status,
        HostName = "host",
        SiloName = $"silo-{port}",
        ProxyPort = port + 1000,
        StartTime = DateTime.UtcNow,
        IAmAliveTime = alive ?? DateTime.UtcNow,
        SuspectTimes = [],
    };

    [Fact]
    public async Task Inserts_move_the_version_and_a_stale_version_or_etag_fails()
    {
        var empty = await _table.ReadAll();
        Assert.Empty(empty.Members);
        Assert.True(await _table.InsertRow(Silo(11111), empty.Version.Next()));

        var one = await _table.ReadAll();
        Assert.Equal(empty.Version.Version + 1, one.Version.Version);
        Assert.NotEqual(empty.Version.VersionEtag, one.Version.VersionEtag);
        Assert.False(await _table.InsertRow(Silo(22222), empty.Version.Next()));   // stale table version
        Assert.False(await _table.InsertRow(Silo(11111), one.Version.Next()));     // the silo exists already

        var (entry, etag) = one.Members.Single();
        entry.Status = SiloStatus.ShuttingDown;
        Assert.True(await _table.UpdateRow(entry, etag, one.Version.Next()));
        var two = await _table.ReadAll();
        Assert.Equal(one.Version.Version + 1, two.Version.Version);
        Assert.False(await _table.UpdateRow(entry, etag, two.Version.Next()));     // stale silo ETag
        Assert.Equal(SiloStatus.ShuttingDown, two.Members.Single().Item1.Status);
    }

    [Fact]
    public async Task ReadAll_and_ReadRow_see_every_committed_entry()
    {
        var version = (await _table.ReadAll()).Version;
        foreach (var port in new[] { 1, 2, 3 })
        {
            Assert.True(await _table.InsertRow(Silo(30000 + port), version.Next()));
            version = (await _table.ReadAll()).Version;
        }
        var all = await _table.ReadAll();
        Assert.Equal(3, all.Members.Count);
        var row = await _table.ReadRow(SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 30002), 1));
        Assert.Equal("silo-30002", row.Members.Single().Item1.SiloName);
        Assert.Equal(all.Version.Version, row.Version.Version);
    }

    [Fact]
    public async Task IAmAlive_updates_in_place()
    {
        var silo = Silo(40000, alive: DateTime.UtcNow.AddMinutes(-5));
        Assert.True(await _table.InsertRow(silo, (await _table.ReadAll()).Version.Next()));
        var before = await _table.ReadAll();
        silo.IAmAliveTime = DateTime.UtcNow;
        await _table.UpdateIAmAlive(silo);
        var after = await _table.ReadAll();
        Assert.True(after.Members.Single().Item1.IAmAliveTime > before.Members.Single().Item1.IAmAliveTime.AddMinutes(4));
        Assert.Equal(before.Version.Version, after.Version.Version); // IAmAlive does not move the version
    }

    [Fact]
    public async Task Cleanup_removes_every_row_older_than_the_cutoff_that_is_not_active()
    {
        // Orleans' membership contract: Dead, Joining, Created, ShuttingDown and Stopping rows past the cut-off go
        // (a silo that crashed while joining would otherwise stay forever); an old Active row and new rows of any
        // status stay.
        var old = DateTime.UtcNow.AddHours(-2);
        var silos = new[]
        {
            Silo(50001, SiloStatus.Dead, old), Silo(50002, SiloStatus.Joining, old), Silo(50003, SiloStatus.Created, old),
            Silo(50004, SiloStatus.ShuttingDown, old), Silo(50005, SiloStatus.Stopping, old),
            Silo(50006, SiloStatus.Active, old), Silo(50007, SiloStatus.Active), Silo(50008, SiloStatus.Joining), Silo(50009, SiloStatus.Dead),
        };
        foreach (var silo in silos)
            Assert.True(await _table.InsertRow(silo, (await _table.ReadAll()).Version.Next()));
        var before = await _table.ReadAll();

        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddHours(-1));

        var left = await _table.ReadAll();
        Assert.Equal(["silo-50006", "silo-50007", "silo-50008", "silo-50009"], left.Members.Select(m => m.Item1.SiloName).Order());
        Assert.Equal((before.Version.Version, before.Version.VersionEtag), (left.Version.Version, left.Version.VersionEtag)); // the version row stays
    }
}
