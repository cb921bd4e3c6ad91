using System.Diagnostics;
using System.Text.Json;
using AncOrleans.Abstractions.Wire;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>A gateway and a separate <c>silo</c> process form one cluster, and sessions are served on either.</summary>
public sealed class SiloProcessTests(TwoProcessGatewayFixture gateway, ITestOutputHelper output) : IClassFixture<TwoProcessGatewayFixture>
{
    [Fact]
    public async Task A_worker_silo_joins_and_sessions_are_served_either_way()
    {
        using var silo = StartSilo();
        try
        {
            using var http = new HttpClient { BaseAddress = gateway.BaseUrl };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            var silos = 0;
            while (DateTime.UtcNow < deadline && silos < 2)
            {
                using var cluster = JsonDocument.Parse(await http.GetStringAsync("/v1/cluster"));
                silos = cluster.RootElement.GetProperty("silos").GetArrayLength();
                if (silos < 2) await Task.Delay(500);
            }
            output.WriteLine($"silos in the cluster: {silos}");
            Assert.Equal(2, silos);

            // Twelve sessions: placement spreads them over both silos; every one answers.
            for (var i = 0; i < 12; i++)
            {
                await using var device = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, $"two-{i}-{Guid.NewGuid():N}"[..20]);
                await device.StartAsync();
                await device.SendBinaryAsync(DeviceTestClient.AudioFrame((uint)i, 0));
                var (frame, error) = await device.NextReplyAsync();
                Assert.Null(error);
                Assert.Equal((uint)i, frame!.Value.Sequence);
            }
        }
        finally
        {
            silo.Kill(entireProcessTree: true);
        }
    }

    private Process StartSilo()
    {
        // The worker silo's own build output (built with this test project, which references it):
        // <repo>/silo/bin/<configuration>/net10.0/, next to <repo>/tests/bin/<configuration>/net10.0/.
        var testBin = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var separator = Path.DirectorySeparatorChar;
        var dll = Path.Combine(testBin.Replace($"{separator}tests{separator}bin{separator}", $"{separator}silo{separator}bin{separator}"), "AncOrleans.Silo.dll");
        Assert.True(File.Exists(dll), $"worker silo not built at {dll}");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Orleans__SiloPort"] = GatewayFixture.FreePort().ToString(),
                ["Orleans__GatewayPort"] = GatewayFixture.FreePort().ToString(),
                ["Orleans__PrimarySiloPort"] = gateway.SiloPort.ToString(),
                ["Orleans__ClusterId"] = gateway.ClusterId,
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine($"silo: {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.WriteLine($"silo: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
