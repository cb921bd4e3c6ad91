using System.Net;
using AncOrleans.Aws.DynamoDb;
using Orleans.Runtime;

namespace AncOrleans.Tests;

/// <summary>
/// The session grain directory on DynamoDB Local (.ci/run starts it; ANC_DYNAMODB_URL), held to the contract Orleans'
/// own directory providers keep: first registration wins, a migration hands over with its previous address, an
/// unregistration never removes a newer entry.
/// </summary>
public sealed class DynamoDbGrainDirectoryTests : IAsyncLifetime
{
    private readonly DynamoDbOptions _options = DynamoDbLocal.Options();
    private DynamoDbGrainDirectory _directory = null!;
    private static readonly SiloAddress SiloA = SiloAddress.New(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 11111), 1);
    private static readonly SiloAddress SiloB = SiloAddress.New(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 11111), 2);

    public async Task InitializeAsync()
    {
        _directory = new DynamoDbGrainDirectory(_options, DynamoDbClientFactory.Create(_options));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _directory.InitialiseAsync(timeout.Token);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static GrainAddress Address(GrainId grain, SiloAddress silo, long version = 7) =>
        new() { GrainId = grain, SiloAddress = silo, ActivationId = ActivationId.NewId(), MembershipVersion = new MembershipVersion(version) };

    private static GrainId NewSession() => GrainId.Create("session", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_first_registration_wins_and_reads_back_whole()
    {
        var grain = NewSession();
        var first = Address(grain, SiloA);
        Assert.Equal(first, await _directory.Register(first));

        var second = Address(grain, SiloB);
        var winner = await _directory.Register(second);
        Assert.Equal(first, winner);

        var found = await _directory.Lookup(grain);
        Assert.NotNull(found);
        Assert.Equal(first.SiloAddress, found.SiloAddress);
        Assert.Equal(first.ActivationId, found.ActivationId);
        Assert.Equal(first.MembershipVersion, found.MembershipVersion);
        Assert.Null(await _directory.Lookup(NewSession()));
    }

    [Fact]
    public async Task A_migration_replaces_the_entry_it_names_and_no_other()
    {
        var grain = NewSession();
        var original = Address(grain, SiloA);
        await _directory.Register(original);

        var stranger = Address(grain, SiloB);
        Assert.Equal(original, await _directory.Register(stranger, Address(grain, SiloB))); // names the wrong previous

        var moved = Address(grain, SiloB);
        Assert.Equal(moved, await _directory.Register(moved, original));
        Assert.Equal(moved.ActivationId, (await _directory.Lookup(grain))!.ActivationId);
    }

    [Fact]
    public async Task Unregistering_an_old_activation_leaves_the_new_one()
    {
        var grain = NewSession();
        var old = Address(grain, SiloA);
        await _directory.Register(old);
        var moved = Address(grain, SiloB);
        await _directory.Register(moved, old);

        await _directory.Unregister(old);
        Assert.Equal(moved.ActivationId, (await _directory.Lookup(grain))!.ActivationId);

        await _directory.Unregister(moved);
        Assert.Null(await _directory.Lookup(grain));
        var again = Address(grain, SiloA);
        Assert.Equal(again, await _directory.Register(again));
    }
}
