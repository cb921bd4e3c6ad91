using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Gateway;
using AncOrleans.Gateway.Devices;
using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace AncOrleans.Tests;

/// <summary>
/// Durable alerts (issue 14): a siren in a session's audio raises an alert; the moment the device has it, the silo
/// hosting the session is killed (SIGKILL). The session comes back on another silo from its checkpoint, where the
/// alert was stored before it was delivered. The device (the gateway's own <see cref="DeviceSession"/>, which
/// acknowledges nothing here, the worst case) gets the alert once, the webhook once, and the anti-noise stays off
/// while the siren goes on — past the restored-alert hold, because the emergency detector re-asserts it.
/// </summary>
public sealed partial class FailoverTests
{
    [Fact]
    public async Task An_alert_outlives_the_kill_of_its_sessions_silo_once_to_the_device_and_the_webhook_with_the_passthrough_on()
    {
        const double onset = 2, after = 7;
        var dynamo = DynamoDbLocal.Isolated();
        var settings = ClusterSettings("alerts", dynamo);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var table = MembershipTable(settings["Orleans:ClusterId"]!, dynamo);
        var silos = Enumerable.Range(1, 3).Select(i => SiloProcess.Start(settings, output, $"silo{i}")).ToList();
        using var webhook = new CountingWebhook();
        try
        {
            await WaitForGatewaysAsync(table, 3, TimeSpan.FromSeconds(60));
            using var host = new HostBuilder()
                .UseOrleansClient(client => client.UseAncDynamoDbClustering(configuration)
                    .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(2)))
                .Build();
            await host.StartAsync();
            var grains = host.Services.GetRequiredService<IClusterClient>();
            var management = grains.GetGrain<IManagementGrain>(0);
            var gatewayOptions = Options.Create(new AncOrleans.Gateway.GatewayOptions { AlertWebhookUrl = webhook.Url });
            var metrics = new GatewayMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
            var id = $"alert-kill-{Guid.NewGuid():N}"[..24];
            var device = new DeviceSession(id, grains, gatewayOptions, metrics,
                new AlertWebhook(new HttpClient(), gatewayOptions, NullLogger<AlertWebhook>.Instance));
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var running = device.RunAsync(cancel.Token);
            var alerts = new ConcurrentQueue<(EmergencyAlert Alert, double At)>();
            var position = 0.0;
            var reading = Task.Run(async () =>
            {
                await foreach (var (payload, text) in device.Outbound.Reader.ReadAllAsync(cancel.Token))
                    if (text && ControlMessage.TryParse(payload, out var message, out _) && message!.Type == "alert")
                        alerts.Enqueue((message.Alert!, Volatile.Read(ref position)));
            });

            const int rate = 48_000, frame = 480;
            var scene = Scenarios.Create("hum", rate, onset + after + 4, 20);
            var siren = EmergencySounds.Create(EmergencyKind.Siren, rate, after + 4, new NoiseGenerator(3));
            Assert.Null(await device.StartAsync(new ControlMessage { Type = "start", SampleRate = rate, FrameSamples = frame, SecondaryPath = scene.SecondaryPath }));
            SiloProcess? victim = null;
            double? killedAt = null;
            var x = new float[frame];
            var clock = Stopwatch.StartNew();
            var end = (int)((onset + after) * rate);
            for (uint sequence = 0; sequence * frame < end; sequence++)
            {
                var start = (int)sequence * frame;
                var t = (double)start / rate;
                Volatile.Write(ref position, t);
                for (var i = 0; i < frame; i++) x[i] = scene.Reference[start + i] + (t >= onset ? 0.3f * siren[start - (int)(onset * rate) + i] : 0);
                var pcm = FrameCodec.EncodeStereo(x, scene.Disturbance.AsSpan(start, frame), SampleFormat.Float32);
                device.HandleBinary(new WireFrame(WireFrame.Audio, SampleFormat.Float32, 2, sequence, start * 1_000_000L / rate, frame, rate, pcm).ToBytes(), Stopwatch.GetTimestamp());
                if (victim is null && !alerts.IsEmpty)
                {
                    // The device has the alert: kill the silo that hosts the session, mid-siren.
                    var home = await management.GetActivationAddress(grains.GetGrain<ISessionGrain>(id));
                    victim = silos.Single(s => s.SiloPort == home!.Endpoint.Port);
                    victim.Kill();
                    killedAt = t;
                }
                var due = TimeSpan.FromMilliseconds(10 * (sequence + 1)) - clock.Elapsed;
                if (due > TimeSpan.Zero) await Task.Delay(due, cancel.Token);
            }
            output.WriteLine($"membership after the run: {await MembersAsync(table)}");
            // Waits for the session's recovery, however slow the box (the timings are not what this test checks).
            var session = grains.GetGrain<ISessionGrain>(id);
            var stats = (await SiloLossRetry.CallAsync(session.GetStatsAsync, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100), cancel.Token)).Reply;
            device.Complete();
            await running;
            await reading;
            await Task.Delay(1000); // a webhook post still on its way would arrive here

            foreach (var (alert, at) in alerts) output.WriteLine($"alert {alert.AlertId} {alert.Kind} active={alert.Active} to the device at {at:0.00} s of audio");
            output.WriteLine($"siren from {onset} s; session's silo killed at {killedAt:0.00} s; session restores {stats.Restores}, state {stats.ConvergenceState}; " +
                $"webhook posts: {string.Join(", ", webhook.Keys)}; frames {JsonSerializer.Serialize(device.Counts)}");
            Assert.NotNull(victim);
            var delivered = Assert.Single(alerts).Alert;
            Assert.True(delivered.Active);
            Assert.Equal(EmergencyKind.Siren, delivered.Kind);
            Assert.Equal([delivered.AlertId!], webhook.Keys);
            Assert.True(stats.Restores >= 1, "the session did not move");
            Assert.Equal(ConvergenceState.Passthrough, stats.ConvergenceState);
            Assert.Contains(await session.GetAlertsAsync(), a => a.AlertId == delivered.AlertId);
            await host.StopAsync();
        }
        finally
        {
            foreach (var silo in silos) silo.Dispose();
        }
    }

    /// <summary>A real HTTP receiver for the alert webhook: records each post's Idempotency-Key, answers 200.</summary>
    private sealed class CountingWebhook : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<string> _keys = new();

        public CountingWebhook()
        {
            var port = GatewayFixture.FreePort();
            Url = $"http://127.0.0.1:{port}/alerts/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var context = await _listener.GetContextAsync();
                        _keys.Enqueue(context.Request.Headers["Idempotency-Key"] ?? "(none)");
                        context.Response.StatusCode = 200;
                        context.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                }
            });
        }

        public string Url { get; }

        public string[] Keys => _keys.ToArray();

        public void Dispose() => _listener.Close();
    }
}
