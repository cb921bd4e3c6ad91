using System.Diagnostics;
using System.Globalization;
using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Gateway.Devices;
using AncOrleans.Hosting;
using AncOrleans.Aws.DynamoDb;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Three silo processes on DynamoDB clustering and state (DynamoDB Local), sessions streaming the hum scene in real
/// time from an external client (<see cref="AncClientExtensions.UseAncDynamoDbClustering"/>); the silo hosting the
/// most sessions is killed (SIGKILL). Every session must go on — those of the dead silo re-activated on another
/// silo from their last checkpoint — losing no more frames than it had in flight at the kill, and cancelling as
/// well in the first second after recovery as in the second before (within 3 dB).
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed partial class FailoverTests(ITestOutputHelper output)
{
    private const int Rate = 48_000, Delay = 960, Sessions = 6;
    private const double WarmSeconds = 3, AfterSeconds = 2, SceneSeconds = 8;

    [Fact]
    public async Task Sessions_of_a_killed_silo_resume_on_another_from_their_checkpoint()
    {
        var clock = Stopwatch.StartNew();
        var dynamo = DynamoDbLocal.Isolated();
        var settings = ClusterSettings("failover", dynamo);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var table = MembershipTable(settings["Orleans:ClusterId"]!, dynamo);
        var silos = Enumerable.Range(1, 3).Select(i => SiloProcess.Start(settings, output, $"silo{i}")).ToList();
        try
        {
            await WaitForGatewaysAsync(table, 3, TimeSpan.FromSeconds(60));
            using var host = new HostBuilder()
                .UseOrleansClient(client => client.UseAncDynamoDbClustering(configuration)
                    // A request on its way through the killed silo's gateway is never answered: give up on it after
                    // 2 s (not the default 30 s) and send it again (PacedDevice).
                    .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(2)))
                .Build();
            await host.StartAsync();
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var management = grains.GetGrain<IManagementGrain>(0);
            Assert.Equal(3, (await management.GetHosts(onlyActive: true)).Count);
            var started = clock.Elapsed;

            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var devices = new List<PacedDevice>();
            for (var i = 0; i < Sessions; i++)
            {
                var id = $"failover-{i}-{Guid.NewGuid():N}"[..24];
                var loop = new ClosedLoopDevice(Scenarios.Create("hum", Rate, SceneSeconds, 20, seed: i + 1), Delay);
                var device = new PacedDevice(id, grains.GetGrain<ISessionGrain>(id), loop, TimeSpan.FromSeconds(30));
                await device.Grain.ConfigureAsync(loop.Config());
                devices.Add(device);
            }
            var streaming = devices.Select(d => Task.Run(() => d.RunAsync(cancel.Token))).ToArray();

            // Where each session lives, then the kill, once every device has streamed WarmSeconds.
            await WaitUntilAsync(() => devices.Min(d => d.Loop.Position) >= (WarmSeconds - 0.5) * Rate, cancel.Token);
            var homes = new Dictionary<string, SiloAddress?>();
            foreach (var device in devices) homes[device.SessionId] = await management.GetActivationAddress(device.Grain);
            var victim = silos.OrderByDescending(s => homes.Values.Count(h => h?.Endpoint.Port == s.SiloPort)).First();
            await WaitUntilAsync(() => devices.Min(d => d.Loop.Position) >= WarmSeconds * Rate, cancel.Token);
            foreach (var device in devices) device.StopAt = device.Loop.Position + (int)(AfterSeconds * Rate);
            var kill = Stopwatch.GetTimestamp();
            victim.Kill();
            var declaredDead = WaitForDeathAsync(table, victim.SiloPort, kill, cancel.Token);

            await Task.WhenAll(streaming);
            var deadAfter = await declaredDead;
            var streamed = clock.Elapsed;

            output.WriteLine($"membership after the run: {await MembersAsync(table)}");
            output.WriteLine($"3 silos up and client connected in {started.TotalSeconds:0.0} s; silo :{victim.SiloPort} killed at " +
                $"{WarmSeconds}–{devices.Max(d => d.StopAt) / (double)Rate - AfterSeconds:0.00} s of audio; declared dead after {deadAfter.TotalSeconds:0.00} s; streaming done at {streamed.TotalSeconds:0.0} s");
            output.WriteLine("session                  silo   -> now    in flight  lost  sends  stall ms  restores  rolled back  before dB  after dB  failed sends");
            var results = new List<Outcome>();
            foreach (var device in devices)
            {
                var home = homes[device.SessionId];
                var now = (await SiloLossRetry.CallAsync(() => management.GetActivationAddress(device.Grain).AsTask(), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), cancel.Token)).Reply;
                var stats = (await SiloLossRetry.CallAsync(device.Grain.GetStatsAsync, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100), cancel.Token)).Reply;
                var frames = device.Frames;
                // The frame that waited longest among those sent up to 0.5 s after the kill: the session served nothing
                // from the kill until its answer (the device's clock stood still meanwhile), the first after the gap.
                // (A device that sent nothing in that half second, e.g. starved of CPU here, resumes with its next frame.)
                var answeredAfter = frames.Where(f => f.Answered > kill).ToList();
                var resumed = answeredAfter.Where(f => f.Sent < kill + Stopwatch.Frequency / 2)
                    .DefaultIfEmpty(answeredAfter[0]).MaxBy(f => f.Answered - Math.Max(f.Sent, kill));
                if (resumed.Sent >= kill + Stopwatch.Frequency / 2)
                    output.WriteLine($"{device.SessionId}: sent nothing for {Stopwatch.GetElapsedTime(kill, resumed.Sent).TotalMilliseconds:0} ms after the kill (this process starved)");
                var resume = resumed.Position / (double)Rate;
                var afterStart = resume + Delay / (double)Rate; // the first anti-noise played from replies after the kill
                var outcome = new Outcome(device.SessionId, home, now, home?.Endpoint.Port == victim.SiloPort,
                    InFlight: frames.Count(f => f.Sent <= kill && (f.Answered == 0 || f.Answered > kill)),
                    Lost: frames.Count(f => f.Answered == 0),
                    Sends: frames.Sum(f => f.Sends),
                    Stall: Stopwatch.GetElapsedTime(kill, resumed.Answered),
                    RolledBack: frames.Count(f => f.Answered != 0) - stats.FramesOut,
                    Restores: stats.Restores,
                    BeforeDb: device.Loop.ReductionDb(resume - 1, resume),
                    AfterDb: device.Loop.ReductionDb(afterStart, afterStart + 1),
                    Finished: device.Loop.Position >= device.StopAt);
                results.Add(outcome);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{outcome.SessionId,-24} :{home?.Endpoint.Port,-5} -> :{now?.Endpoint.Port,-5} {outcome.InFlight,9} {outcome.Lost,5} {outcome.Sends,6} {outcome.Stall.TotalMilliseconds,9:0} {outcome.Restores,9} {outcome.RolledBack,12} {outcome.BeforeDb,9:0.0} {outcome.AfterDb,9:0.0}  {string.Join(", ", device.Failures.Select(p => $"{p.Key}×{p.Value}"))}"));
            }
            var moved = results.Count(r => r.Moved);
            output.WriteLine($"{moved} of {Sessions} sessions moved; test {clock.Elapsed.TotalSeconds:0.0} s");

            Assert.True(moved > 0);
            foreach (var r in results)
            {
                Assert.True(r.Finished, $"{r.SessionId} did not stream {AfterSeconds} s past the kill");
                Assert.True(r.Lost <= r.InFlight, $"{r.SessionId}: {r.Lost} frames lost, {r.InFlight} in flight at the kill");
                Assert.NotNull(r.Now);
                Assert.NotEqual(victim.SiloPort, r.Now!.Endpoint.Port);
                Assert.True(r.AfterDb >= r.BeforeDb - 3, $"{r.SessionId}: {r.AfterDb:0.0} dB in the first second after recovery, {r.BeforeDb:0.0} dB before");
                if (r.Moved)
                {
                    Assert.Equal(1, r.Restores);
                    // Resumed from the last checkpoint (at most ~1 s old: written every second), not from zero. Below
                    // zero: the checkpoint was written after the frame in flight had been processed, and its re-send
                    // was processed again by the new activation (which does not know the old one's last reply).
                    Assert.InRange(r.RolledBack, -r.InFlight, 200);
                }
                else
                {
                    // A session on a live silo may still be re-activated: Orleans deactivates the activations whose
                    // directory entry was kept by the dead silo — usually gracefully (a checkpoint first, nothing
                    // rolled back), but a call can reach a new activation elsewhere first, which resumes from the last
                    // checkpoint (seen once in CI: 47 frames rolled back, 37.9 → 37.9 dB). Either way: ≤ 1 s of
                    // adaptation, nothing lost, and the dB check above holds.
                    Assert.InRange(r.Restores, 0, 1);
                    Assert.InRange(r.RolledBack, -r.InFlight, 200);
                }
            }
            await host.StopAsync();
        }
        finally
        {
            foreach (var silo in silos) silo.Dispose();
        }
    }

    /// <summary>
    /// Three silos' settings: DynamoDB clustering and state on DynamoDB Local, checkpoints every second, failure
    /// detection as docs/reliability.md recommends (1 s probes) but with 5 missed probes, not 3: with one silo killed,
    /// the survivor's single vote declares the other dead, and on a starved 2-core CI box 3 s without an answer once cost
    /// a live silo too (CI of 70a524d: calls from silo1 to silo2 failed after the kill of silo3, and the sessions'
    /// activations hung). <see cref="MembersAsync"/> prints the table after each test, so such a death is named.
    /// </summary>
    private static Dictionary<string, string?> ClusterSettings(string prefix, DynamoDbOptions dynamo) => new()
    {
        ["Orleans:ClusterId"] = $"{prefix}-{Guid.NewGuid():N}"[..20],
        ["Clustering:Provider"] = "dynamodb",
        ["Persistence:Provider"] = "dynamodb",
        ["DynamoDB:ServiceUrl"] = dynamo.ServiceUrl,
        ["DynamoDB:TablePrefix"] = dynamo.TablePrefix,
        // A database of its own in DynamoDB Local (DynamoDbLocal.Isolated): in whole-suite runs, after every other test
        // had filled the shared one, a moved session's state read hung past Orleans' 30 s activation timeout (2 runs of
        // 6 here and in CI; 0 of 14 when the failover tests ran alone). Whether the shared database was the cause is not
        // shown; this takes it out of the test.
        ["DynamoDB:Region"] = dynamo.Region,
        // The migration warm-up on, as in production (a session sent to another silo and back at start-up, in the
        // background). From the eleventh to the thirteenth session it was off here: with it the whole integration project
        // hung here 1 run in 4 — a moved session's state read that never got an answer, so its activation timed out at
        // 30 s on every re-send. Since the storage's read deadline (DynamoDbGrainStorage.GetAsync: abandoned and sent
        // again after 2 × DynamoDB:RequestTimeout) 16 of 16 whole-integration runs passed with it on, and in one of the
        // fourteenth session's six the deadline fired on exactly that read (failover-0, 10 s, then answered at once): the
        // session stalled 14 s instead of hanging (docs/reliability.md). ANC_FAILOVER_WARMUP=false turns it off.
        ["Session:MigrationWarmup"] = Environment.GetEnvironmentVariable("ANC_FAILOVER_WARMUP") ?? "true",
        ["Session:CheckpointSeconds"] = "1",
        ["Clustering:Membership:ProbeTimeout"] = "00:00:01",
        ["Clustering:Membership:NumMissedProbesLimit"] = "5",
        ["Orleans:GrainDirectory"] = Environment.GetEnvironmentVariable("ANC_GRAIN_DIRECTORY") ?? "default",
        // ANC_FAILOVER_ORLEANS_LOG=Debug: Orleans' own log, to follow a hang.
        ["Logging:LogLevel:Orleans"] = Environment.GetEnvironmentVariable("ANC_FAILOVER_ORLEANS_LOG") ?? "Error",
    };

    private sealed record Outcome(string SessionId, SiloAddress? Home, SiloAddress? Now, bool Moved, int InFlight, int Lost, int Sends,
        TimeSpan Stall, long RolledBack, int Restores, double BeforeDb, double AfterDb, bool Finished);

    private static DynamoDbMembershipTable MembershipTable(string clusterId, DynamoDbOptions options) =>
        new(clusterId, options, DynamoDbClientFactory.Create(options),
            new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>());

    /// <summary>Waits until the membership table lists <paramref name="count"/> active gateways (what the client will see).</summary>
    private async Task WaitForGatewaysAsync(DynamoDbMembershipTable table, int count, TimeSpan timeout)
    {
        var gateways = new DynamoDbGatewayListProvider(table, Options.Create(new GatewayOptions()), NullLogger<DynamoDbGatewayListProvider>.Instance);
        var deadline = Stopwatch.StartNew();
        var seen = 0;
        while (deadline.Elapsed < timeout && (seen = (await gateways.GetGateways()).Count) < count) await Task.Delay(250);
        output.WriteLine($"{seen} gateways listed after {deadline.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(count, seen);
    }

    /// <summary>Each silo in the membership table as "port status".</summary>
    private static async Task<string> MembersAsync(DynamoDbMembershipTable table) =>
        string.Join(", ", (await table.ReadAll()).Members.Select(m => $":{m.Item1.SiloAddress.Endpoint.Port} {m.Item1.Status}").Order());

    /// <summary>How long after the kill the membership table marks the silo dead.</summary>
    private static async Task<TimeSpan> WaitForDeathAsync(DynamoDbMembershipTable table, int siloPort, long kill, CancellationToken cancel)
    {
        while (true)
        {
            var data = await table.ReadAll();
            if (data.Members.Any(m => m.Item1.SiloAddress.Endpoint.Port == siloPort && m.Item1.Status == SiloStatus.Dead))
                return Stopwatch.GetElapsedTime(kill);
            await Task.Delay(50, cancel);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancel)
    {
        while (!condition()) await Task.Delay(10, cancel);
    }
}
