using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.Core.Internal;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Managed memory per session in one silo: 100 sessions configured and run for N frames each (the session grain, and
/// with features on its emergency and classifier grains), after full GCs; printed, and held under a loose bound so a
/// leak or a per-session buffer of the wrong size shows (docs/measurements/benchmarks.md, "Memory per session").
/// <c>SESSION_MEMORY_FEATURES=false</c> leaves the emergency and classifier grains out. The heap is the process's, so
/// the test runs alone (its own collection, not in parallel with the other test classes' clusters).
/// </summary>
[Collection(Alone)]
public sealed class SessionMemoryTests(ITestOutputHelper output) : IAsyncLifetime
{
    public const string Alone = "session memory, alone";
    private TestCluster _cluster = null!;
    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }
    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static long Heap() { for (var i = 0; i < 3; i++) { GC.Collect(2, GCCollectionMode.Forced, true, true); GC.WaitForPendingFinalizers(); } return GC.GetTotalMemory(true); }

    // The heap once it stops moving (two readings 0.5 s apart within 1 MB, at most 15 s): clusters of test classes that
    // ran before this one may still be winding down in this process, and what they free would count as this test's.
    private static async Task<long> SettledHeapAsync()
    {
        var last = Heap();
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < TimeSpan.FromSeconds(15);)
        {
            await Task.Delay(500);
            var now = Heap();
            if (Math.Abs(now - last) < 1 << 20) return now;
            last = now;
        }
        return last;
    }

    [Fact]
    public async Task A_session_with_its_detectors_holds_well_under_a_megabyte()
    {
        const int frames = 300;
        var scene = Scenarios.Create("hum", 48_000, 4, 20);
        async Task RunAsync(int i)
        {
            var grain = _cluster.GrainFactory.GetGrain<ISessionGrain>($"memory-{i}");
            var device = new ClosedLoopDevice(scene, 960);
            await grain.ConfigureAsync(device.Config());
            for (var f = 0; f < frames; f++) await device.StepAsync(async fr => await grain.ProcessAsync(fr));
        }
        await RunAsync(-1); // the first session's one-off costs (shared tables, the model) are not counted
        await Task.Delay(2000);
        var before = await SettledHeapAsync();
        for (var i = 0; i < 100; i++) await RunAsync(i);
        await Task.Delay(3000);
        var running = await SettledHeapAsync();
        // The same sessions ended (state cleared, grains deactivated): what they held comes back. The difference is
        // the figure; the growth from `before` is printed beside it (other test classes' clusters may still be
        // winding down in this process, so either can be off by what they free meanwhile).
        foreach (var i in Enumerable.Range(0, 100))
        {
            var id = $"memory-{i}";
            await _cluster.GrainFactory.GetGrain<ISessionGrain>(id).EndAsync();
            await _cluster.GrainFactory.GetGrain<IEmergencyGrain>(id).Cast<IGrainManagementExtension>().DeactivateOnIdle();
            await _cluster.GrainFactory.GetGrain<IClassifierGrain>(id).Cast<IGrainManagementExtension>().DeactivateOnIdle();
        }
        await Task.Delay(3000);
        var ended = await SettledHeapAsync();
        var perSession = (running - ended) / 100.0 / 1024;
        output.WriteLine($"{perSession:0.0} KB managed per session ({frames} frames each; growth from before the sessions: {(running - before) / 100.0 / 1024:0.0} KB)");
        Assert.InRange(perSession, 50, 1024);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Session:CheckpointSeconds"] = "30", ["Session:WarmupSeconds"] = "0", ["Session:PublishFeatures"] = Environment.GetEnvironmentVariable("SESSION_MEMORY_FEATURES") ?? "true" })
                .Build();
            siloBuilder.AddAncGrains(configuration);
        }
    }
}

[CollectionDefinition(SessionMemoryTests.Alone, DisableParallelization = true)]
public sealed class SessionMemoryCollection;
