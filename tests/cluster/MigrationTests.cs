using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// A silo that shuts down gracefully (SIGTERM, scale-in) hands its sessions to another silo with their state in memory
/// (Orleans live migration), so a session keeps its filter and the device does not wait for a restore from storage.
/// Its own two-silo cluster: the test stops one.
/// </summary>
public sealed class MigrationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Rate = 48_000;
    private const int Delay = 960; // 20 ms
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_session_on_a_silo_that_shuts_down_moves_with_its_filter_and_is_not_restored_from_storage()
    {
        var leaving = _cluster.SecondarySilos[0];
        var (grain, silo) = await SessionOnAsync(leaving);
        var device = new ClosedLoopDevice(Scenarios.Create("hum", Rate, 5, 20), Delay);
        await grain.ConfigureAsync(device.Config());
        await device.RunAsync(grain, 3);
        var before = device.ReductionDb(2, 3);

        await _cluster.StopSiloAsync(leaving);

        await device.RunAsync(grain, 1);
        var after = device.ReductionDb(3, 4);
        var stats = await grain.GetStatsAsync();
        var overview = await grain.GetOverviewAsync();
        output.WriteLine($"on {silo}, then on {overview.Silo}; before {before:0.0} dB, first second after {after:0.0} dB; migrations {stats.Migrations}, restores {stats.Restores}");
        Assert.Equal(1, stats.Migrations);
        Assert.Equal(0, stats.Restores);
        Assert.DoesNotContain(leaving.SiloAddress.ToString(), overview.Silo);
        Assert.Equal(400, stats.FramesOut);
        Assert.True(after >= before - 3, $"after the move {after:0.0} dB vs {before:0.0} dB before");
    }

    // Activated on the silo that will leave by a placement hint on its first call (random placement, with the silos'
    // own warm-up sessions about, could miss it 64 times in a row).
    private async Task<(ISessionGrain Grain, string Silo)> SessionOnAsync(SiloHandle silo)
    {
        var grain = _cluster.GrainFactory.GetGrain<ISessionGrain>($"move-{Guid.NewGuid():N}");
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        var overview = await grain.GetOverviewAsync();
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        Assert.Contains(silo.SiloAddress.ToString(), overview.Silo);
        return (grain, overview.Silo);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Session:CheckpointSeconds"] = "1", ["Session:WarmupSeconds"] = "1" })
                .Build();
            siloBuilder.AddAncGrains(configuration);
        }
    }
}
