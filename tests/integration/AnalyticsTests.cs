using AncOrleans.Acoustics.Evaluation;
using System.Net.Http.Json;
using System.Text.Json;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Cli.Sim;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>Session summaries on DynamoDB Local (ANC_DYNAMODB_URL): what <c>anc sim</c> measured, read back over REST, after a restart too.</summary>
[Collection(GatewayCollection.Name)]
public sealed class AnalyticsTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task Four_simulated_sessions_leave_summaries_that_match_the_sim_and_survive_a_gateway_restart()
    {
        var prefix = $"an-{Guid.NewGuid():N}-"[..16];
        var run = Guid.NewGuid().ToString("N")[..6];
        var ids = Enumerable.Range(0, 4).Select(i => $"an-{run}-{i}").ToArray();
        SimReport[] reports;
        var gateway = new DynamoDbAnalyticsGatewayFixture(prefix);
        await gateway.InitializeAsync();
        try
        {
            var keys = await Task.WhenAll(ids.Select(gateway.ProvisionAsync));
            var devices = ids.Select(id => new SimDevice(id, Scenarios.Create("hum", 48_000, 20, 20), 20, "hybrid")).ToArray();
            await Task.WhenAll(devices.Select((device, i) => device.RunAsync(gateway.BaseUrl, keys[i], 20, CancellationToken.None)));
            reports = devices.Select(SimReport.From).ToArray();
            foreach (var device in devices)
                output.WriteLine($"{device.DeviceId} dB per second: " + string.Join(" ", Enumerable.Range(0, device.Position / 48_000).Select(s =>
                    ReductionMeter.Db(device.Scene.Disturbance.AsSpan(s * 48_000, 48_000), device.Ear.AsSpan(s * 48_000, 48_000)).ToString("0.0"))) +
                    " | unplayed frames at: " + string.Join(",", device.HeardAllAntiNoise.Select((h, k) => (h, k)).Where(p => !p.h).Select(p => p.k).Take(40)));
            // The device's disconnect ends its session at the gateway, which writes the final summary.
            await WaitForAsync(gateway, ids, ended: true);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        var restarted = new DynamoDbAnalyticsGatewayFixture(prefix);
        await restarted.InitializeAsync();
        try
        {
            var summaries = await WaitForAsync(restarted, ids, ended: true);
            Assert.Equal(4, summaries.Count);
            foreach (var report in reports)
            {
                var summary = Assert.Single(summaries, s => s.DeviceId == report.Device);
                output.WriteLine($"{report.Device}: sim {report.ReductionDb:0.00} dB, summary {summary.ReductionDb:0.00} dB (since start {summary.ReductionSinceStartDb:0.00}, " +
                                 $"p10/50/90 {summary.ReductionP10Db}/{summary.ReductionP50Db}/{summary.ReductionP90Db}), {summary.DurationSeconds:0.0} s, " +
                                 $"{summary.FramesAnswered}/{summary.FramesReceived} frames, latency p50 {summary.LatencyP50Ms} p99 {summary.LatencyP99Ms} ms, " +
                                 $"labels {string.Join(", ", summary.SecondsPerLabel.Select(p => $"{p.Key} {p.Value:0.0} s"))}, anomalies {summary.Anomalies.Length}");
                // The gateway measures what it received. Frames it never got (dropped past their deadline on a loaded
                // machine) were heard as the noise alone at the device and are missing from its figure, so there the
                // summary can only be higher than what the ear heard.
                if (summary.FramesReceived == report.FramesSent)
                    Assert.True(Math.Abs(summary.ReductionDb - report.ReductionDb) <= 1, $"{report.Device}: summary {summary.ReductionDb:0.00} dB, sim {report.ReductionDb:0.00} dB");
                else
                    Assert.True(summary.ReductionDb >= report.ReductionDb - 1, $"{report.Device}: summary {summary.ReductionDb:0.00} dB, sim {report.ReductionDb:0.00} dB");
                // What the gateway read before the device closed: all of it, unless a loaded machine left some unread.
                Assert.InRange(summary.FramesReceived, report.FramesSent * 9 / 10, report.FramesSent);
                Assert.Equal("antinoise", summary.Mode);
            }
            // The provisioning of each device is in its history's audit log.
            using var admin = restarted.AdminClient();
            var history = await admin.GetFromJsonAsync<HistoryDto>($"/v1/devices/{ids[0]}/history", Json);
            Assert.Contains(history!.Audit, e => e.Action == "device.created" && e.Actor == "admin");
            Assert.Single(history.Sessions);
        }
        finally
        {
            await restarted.DisposeAsync();
        }
    }

    private static async Task<List<SessionSummary>> WaitForAsync(GatewayFixture gateway, string[] ids, bool ended)
    {
        using var admin = gateway.AdminClient();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var all = await admin.GetFromJsonAsync<List<SessionSummary>>("/v1/analytics?limit=1000", Json);
            var ours = all!.Where(s => ids.Contains(s.DeviceId) && s.Ended == ended).ToList();
            if (ours.Count == ids.Length || DateTime.UtcNow > deadline) return ours;
            await Task.Delay(200);
        }
    }

    private sealed record HistoryDto(string DeviceId, List<SessionSummary> Sessions, List<AuditEvent> Audit);
}

/// <summary>A gateway whose analytics go to DynamoDB Local under a given table prefix (two of them share it: a restart).</summary>
public sealed class DynamoDbAnalyticsGatewayFixture(string tablePrefix) : GatewayFixture
{
    protected override string[] ExtraArguments() =>
    [
        "--Analytics:Store=dynamodb", "--Analytics:SummaryIntervalSeconds=5",
        $"--DynamoDB:ServiceUrl={Environment.GetEnvironmentVariable("ANC_DYNAMODB_URL") ?? "http://127.0.0.1:18000"}", $"--DynamoDB:TablePrefix={tablePrefix}",
    ];
}
