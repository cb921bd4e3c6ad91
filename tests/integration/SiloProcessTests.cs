using System.Text.Json;
using AncOrleans.Abstractions.Protocol;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>A gateway and a separate <c>silo</c> process form one cluster, and sessions are served on either.</summary>
public sealed class SiloProcessTests(TwoProcessGatewayFixture gateway, ITestOutputHelper output) : IClassFixture<TwoProcessGatewayFixture>
{
    [Fact]
    public async Task A_worker_silo_joins_and_sessions_are_served_either_way()
    {
        using var silo = SiloProcess.Start(new Dictionary<string, string?>
        {
            ["Orleans:PrimarySiloPort"] = gateway.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:ClusterId"] = gateway.ClusterId,
        }, output);
        try
        {
            using var http = gateway.AdminClient();
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
                await using var device = await gateway.ConnectDeviceAsync($"two-{i}-{Guid.NewGuid():N}"[..20]);
                await device.StartAsync();
                await device.SendBinaryAsync(DeviceTestClient.AudioFrame((uint)i, 0));
                var (frame, error) = await device.NextReplyAsync();
                Assert.Null(error);
                Assert.Equal((uint)i, frame!.Value.Sequence);
            }
        }
        finally
        {
            silo.Kill();
        }
    }
}
