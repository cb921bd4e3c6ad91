using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Devices;
using AncOrleans.Gateway.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>Issue 14's exhaustion attacks against the real gateway: each is limited, with a clear error and a counter.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LimitsTests(GatewayFixture gateway, ITestOutputHelper output)
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    [Theory]
    [InlineData(-5L)]
    [InlineData(1L << 40)]
    public async Task A_json_seq_outside_u32_is_refused_not_wrapped(long sequence)
    {
        await using var device = await gateway.ConnectDeviceAsync(NewId("seq"));
        await device.StartAsync();
        var pcm = DeviceTestClient.AudioFrame(0, 0)[WireFrame.HeaderSize..];
        await device.SendTextAsync(JsonSerializer.Serialize(new ControlMessage { Type = "audio", Sequence = sequence, Format = "float32", Samples = 480, Pcm = Convert.ToBase64String(pcm) }));
        var (frame, error) = await device.NextReplyAsync();
        Assert.Null(frame);
        Assert.Contains($"seq {sequence} is out of range", error!.Reason);
    }

    [Fact]
    public async Task Costly_configurations_are_refused_with_the_reason()
    {
        await using var device = await gateway.ConnectDeviceAsync(NewId("cost"));
        await device.SendTextAsync(JsonSerializer.Serialize(new ControlMessage { Type = "start", FilterLength = 8192, SecondaryPath = Enumerable.Repeat(0.01f, 4096).ToArray() }));
        Assert.Contains("too costly", (await device.NextTextAsync("error")).Reason);
        await device.SendTextAsync(JsonSerializer.Serialize(new ControlMessage { Type = "start", Mode = "clean", FrameSamples = 10_000_000 }));
        Assert.Contains("exceeds 100 ms", (await device.NextTextAsync("error")).Reason);
    }

    [Fact]
    public async Task A_burst_of_1000_frames_accounts_for_every_frame()
    {
        await using var device = await gateway.ConnectDeviceAsync(NewId("burst"));
        await device.StartAsync();
        var replies = 0;
        var errors = new List<string>();
        var receiving = Task.Run(async () =>
        {
            while (true)
            {
                var (frame, text) = await device.ReceiveAsync(TimeSpan.FromSeconds(10));
                if (frame is not null) replies++;
                else if (text?.Type == "error") errors.Add(text.Reason!);
                else if (text?.Type == "stats" && text.Frames is { Received: 1000 } counts && counts.Settled == 1000) return counts;
            }
        });
        for (uint i = 0; i < 1000; i++) await device.SendBinaryAsync(DeviceTestClient.AudioFrame(i, i * 10_000L));
        var counts = await receiving.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"{JsonSerializer.Serialize(counts)}; anti-noise received {replies}; errors {errors.Count}: {string.Join(" | ", errors.Distinct().Take(4))}");
        Assert.Equal(1000, counts.Answered + counts.Refused + counts.Late + counts.Unavailable + counts.RateLimited + counts.QueueFull);
        Assert.True(counts.RateLimited > 0, "a burst at far above real time is rate-limited");
        Assert.Contains(errors, e => e.StartsWith("rate limit: audio is arriving faster than 2× real time", StringComparison.Ordinal));
        // every answered frame reached the device or was counted as dropped for a device that did not read
        Assert.InRange(replies, counts.Answered - counts.SendDropped, counts.Answered);
    }

    [Fact]
    public async Task A_half_sent_message_is_closed_after_the_idle_timeout()
    {
        await using var device = await gateway.ConnectDeviceAsync(NewId("half"));
        using var raw = new ClientWebSocket();
        var key = await gateway.ProvisionAsync(NewId("half-raw"));
        var started = Stopwatch.StartNew();
        // An upgraded socket that sends the first half of a message and stops (slowloris on WebSocket).
        var id = NewId("slow");
        raw.Options.SetRequestHeader("Authorization", $"Bearer {await gateway.ProvisionAsync(id)}");
        await raw.ConnectAsync(new Uri($"ws://{gateway.BaseUrl.Authority}/v1/devices/{id}/stream"), CancellationToken.None);
        await raw.SendAsync(new byte[100], WebSocketMessageType.Binary, endOfMessage: false, CancellationToken.None);
        var buffer = new byte[4096];
        WebSocketReceiveResult result;
        do result = await raw.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        while (result.MessageType != WebSocketMessageType.Close);
        output.WriteLine($"closed after {started.Elapsed.TotalSeconds:0.0} s: {result.CloseStatusDescription}");
        Assert.Contains("idle: no complete message for 3 s", result.CloseStatusDescription);
        Assert.InRange(started.Elapsed.TotalSeconds, 2.5, 8);
        _ = key;
    }

    [Fact]
    public async Task Rest_reads_of_an_unknown_id_are_404_without_activating_a_grain()
    {
        var id = NewId("ghost");
        using var admin = gateway.AdminClient();
        var response = await admin.GetAsync($"/v1/sessions/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var grains = gateway.Services.GetRequiredService<IGrainFactory>();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        Assert.DoesNotContain(statistics, s => s.GrainId.Key.ToString() == id);
    }

    [Fact]
    public async Task A_thousand_devices_that_connect_and_leave_leave_nothing_behind()
    {
        var registry = gateway.Services.GetRequiredService<SessionRegistry>();
        var bridge = gateway.Services.GetRequiredService<MqttBridge>();
        var ids = Enumerable.Range(0, 1000).Select(i => $"churn-{Guid.NewGuid():N}"[..20]).ToArray();
        var keys = new Dictionary<string, string>();
        foreach (var chunk in ids.Chunk(50))
            foreach (var (id, key) in chunk.Zip(await Task.WhenAll(chunk.Select(gateway.ProvisionAsync)))) keys[id] = key;
        var liveBefore = registry.LiveCount;
        var bridgeBefore = bridge.DeviceCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var memoryBefore = GC.GetTotalMemory(true);

        foreach (var chunk in ids.Chunk(50))
            await Task.WhenAll(chunk.Select(async (id, i) =>
            {
                if (i % 2 == 0)
                {
                    await using var device = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, id, keys[id]);
                    await device.SendTextAsync("{\"type\":\"ping\"}");
                    await device.NextTextAsync("pong");
                }
                else
                {
                    await using var device = await MqttDeviceClient.ConnectAsync(gateway.MqttPort, id, keys[id]);
                    await device.PublishAsync("control", Encoding.UTF8.GetBytes("{\"type\":\"ping\"}"));
                    await device.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "pong"));
                }
            }));

        var deadline = Stopwatch.StartNew();
        while ((registry.LiveCount > liveBefore || bridge.DeviceCount > bridgeBefore) && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(100);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var memoryAfter = GC.GetTotalMemory(true);
        output.WriteLine($"live {liveBefore} → {registry.LiveCount}, bridge {bridgeBefore} → {bridge.DeviceCount}, listed {registry.Sessions.Count(s => s.StartsWith("churn-", StringComparison.Ordinal))}; "
                         + $"managed memory {memoryBefore / 1e6:0.0} → {memoryAfter / 1e6:0.0} MB");
        Assert.True(registry.LiveCount <= liveBefore, $"{registry.LiveCount} live connections, {liveBefore} before");
        Assert.True(bridge.DeviceCount <= bridgeBefore, $"{bridge.DeviceCount} MQTT devices on the bridge, {bridgeBefore} before");
        Assert.DoesNotContain(registry.Sessions, s => s.StartsWith("churn-", StringComparison.Ordinal));
        Assert.True(memoryAfter < memoryBefore * 1.10, $"managed memory {memoryBefore / 1e6:0.0} → {memoryAfter / 1e6:0.0} MB");
    }

    [Fact]
    public async Task Mqtt_oversize_payloads_and_bad_shadows_are_refused_with_the_reason()
    {
        await using var device = await gateway.ConnectMqttDeviceAsync(NewId("mqtt-limits"));
        await device.PublishAsync("audio", new byte[70_000]);
        var oversize = JsonSerializer.Deserialize<ControlMessage>(await device.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "error")))!;
        Assert.Contains("oversize message", oversize.Reason);
        foreach (var document in new[] { "{\"state\":{\"desired\":null}}", "{\"state\":{\"desired\":{\"algorithm\":\"lms\"}}}", "{\"state\":{\"desired\":{\"sampleRate\":\"fast\"}}}" })
        {
            await device.PublishAsync("shadow/update", Encoding.UTF8.GetBytes(document));
            var rejected = Encoding.UTF8.GetString(await device.NextAsync("shadow/update/rejected"));
            output.WriteLine($"{document} → {rejected}");
            Assert.Contains("bad shadow document", rejected);
        }
    }

    [Fact]
    public async Task One_mqtt_devices_heavy_control_traffic_does_not_delay_another()
    {
        await using var heavy = await gateway.ConnectMqttDeviceAsync(NewId("mqtt-heavy"));
        await using var calm = await gateway.ConnectMqttDeviceAsync(NewId("mqtt-calm"));
        await calm.PublishJsonAsync("control", new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, Format = "float32", DelayMs = 20 });
        await calm.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "started"));
        // Each start is a grain call (the session reconfigures, keeping its filter): awaited one after another in the
        // bridge's single receive handler, a flood of them queued every other device's frames behind it.
        var start = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, Format = "float32", DelayMs = 20 }));
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            // about a thousand messages a second, each a grain call
            while (!stop.IsCancellationRequested)
            {
                await heavy.PublishAsync("control", start);
                await Task.Delay(1);
            }
        });
        var roundTrips = new List<double>();
        for (uint i = 0; i < 60; i++)
        {
            var sent = Stopwatch.GetTimestamp();
            await calm.PublishAsync("audio", DeviceTestClient.AudioFrame(i, i * 10_000L));
            // its anti-noise, or (on a loaded machine) its "late" error: either way the frame's answer
            await calm.NextOfAsync(["antinoise", "events"], (topic, payload) => topic == "antinoise" || MqttDeviceClient.IsEvent(payload, "error"));
            roundTrips.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            await Task.Delay(10);
        }
        await stop.CancelAsync();
        await flood;
        roundTrips.Sort();
        var p95 = roundTrips[(int)(0.95 * roundTrips.Count)];
        output.WriteLine($"calm device beside a flood of starts: p50 {roundTrips[roundTrips.Count / 2]:0.0} ms, p95 {p95:0.0} ms");
        Assert.True(p95 < 100, $"p95 {p95:0.0} ms");
    }
}
