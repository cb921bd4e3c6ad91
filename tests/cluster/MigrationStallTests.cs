using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Gateway.Devices;
using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// A device pacing frames in real time (10 ms) while the silo holding its session shuts down, twice: every frame is
/// answered, and the session moves with its state. The output is the measurement (docs/measurements/deploy.md): each
/// frame's round trip above 5 ms and Orleans' migration spans around the stops. With <c>ANC_MIGRATION_WARMUP=false</c>
/// the silos skip <c>MigrationWarmup</c>, and the first move pays for compiling the migration path (~80–110 ms here
/// against ~8 ms warmed). The silos share one process, so the JIT is shared too; the timings are not asserted.
/// The device sends as the gateway does (<see cref="SiloLossRetry"/>): a frame the stopping silo rejects ("Silo
/// stopping", 1 run in 7 here) or whose request the runtime drops (no reply, 1 in 7: the call's 2 s response timeout)
/// is sent again, and those frames are listed.
/// </summary>
public sealed class MigrationStallTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(4);
        builder.Options.GatewayPerSilo = false; // the client talks to the primary, as a device to its gateway silo
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_session_paced_in_real_time_is_answered_for_every_frame_while_its_silo_shuts_down_twice()
    {
        var (grain, first) = await SessionOnAsync(_cluster.GrainFactory, _cluster.SecondarySilos[0]);
        var device = new ClosedLoopDevice(Scenarios.Create("hum", 48_000, 8, 20), 960);
        await grain.ConfigureAsync(device.Config());
        await device.RunAsync(grain, 2);
        var clock = Stopwatch.StartNew();
        var spans = new ConcurrentQueue<(double Start, double Ms, string Name)>();
        using var listener = MigrationSpans(clock, spans);
        var stops = new List<double>();
        var stopping = Task.Run(async () =>
        {
            await Task.Delay(500);
            stops.Add(clock.Elapsed.TotalMilliseconds);
            await _cluster.StopSiloAsync(first);
            await Task.Delay(1000);
            var now = (await grain.GetOverviewAsync()).Silo;
            if (_cluster.SecondarySilos.FirstOrDefault(s => now.Contains(s.SiloAddress.ToString(), StringComparison.Ordinal)) is not { } second) return;
            stops.Add(clock.Elapsed.TotalMilliseconds);
            await _cluster.StopSiloAsync(second);
        });
        var rounds = new List<(double At, double Ms)>();
        var answered = 0;
        var resent = new List<(double At, int Sends)>();
        for (var next = 0.0; clock.Elapsed.TotalSeconds < 4; next += 10)
        {
            var at = clock.Elapsed.TotalMilliseconds;
            await device.StepAsync(async frame =>
            {
                var (reply, sends) = await SiloLossRetry.CallAsync(() => grain.ProcessAsync(frame), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20), CancellationToken.None);
                answered++;
                if (sends > 1) resent.Add((at, sends));
                return reply;
            });
            rounds.Add((at, clock.Elapsed.TotalMilliseconds - at));
            if (next + 10 - clock.Elapsed.TotalMilliseconds is var wait and > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
        }
        await stopping;

        var stats = await grain.GetStatsAsync();
        output.WriteLine($"stops at {string.Join(", ", stops.Select(Ms))} ms; {rounds.Count} frames, {answered} answered; migrations {stats.Migrations}, restores {stats.Restores}");
        foreach (var (at, ms) in rounds.Where(r => r.Ms > 5)) output.WriteLine($"frame sent at {Ms(at)} ms: round trip {Ms(ms)} ms");
        foreach (var (at, sends) in resent) output.WriteLine($"frame sent at {Ms(at)} ms: answered after {sends} sends");
        foreach (var (start, ms, name) in spans.Where(s => stops.Any(t => s.Start >= t && s.Start < t + 300)).OrderBy(s => s.Start))
            output.WriteLine($"{Ms(start),8} +{Ms(ms),6} ms  {name}");
        Assert.Equal(rounds.Count, answered);
        Assert.Equal(stops.Count, stats.Migrations);
        Assert.Equal(0, stats.Restores);
    }

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture);

    private static ActivityListener MigrationSpans(Stopwatch clock, ConcurrentQueue<(double, double, string)> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.Orleans.Lifecycle",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => spans.Enqueue((clock.Elapsed.TotalMilliseconds - a.Duration.TotalMilliseconds, a.Duration.TotalMilliseconds, a.OperationName)),
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    // Activated there by a placement hint on its first call.
    private static async Task<(ISessionGrain Grain, SiloHandle Silo)> SessionOnAsync(IGrainFactory grains, SiloHandle silo)
    {
        var grain = grains.GetGrain<ISessionGrain>($"stall-{Guid.NewGuid():N}");
        RequestContext.Set(IPlacementDirector.PlacementHintKey, silo.SiloAddress);
        var overview = await grain.GetOverviewAsync();
        RequestContext.Remove(IPlacementDirector.PlacementHintKey);
        Assert.Contains(silo.SiloAddress.ToString(), overview.Silo);
        return (grain, silo);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Session:CheckpointSeconds"] = "30",
                    ["Session:WarmupSeconds"] = "1",
                    ["Session:MigrationWarmup"] = Environment.GetEnvironmentVariable("ANC_MIGRATION_WARMUP") ?? "true",
                })
                .Build();
            siloBuilder.AddAncGrains(configuration);
        }
    }
}
