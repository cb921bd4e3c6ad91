using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using Xunit.Abstractions;
using AncOrleans.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace AncOrleans.Tests;

/// <summary>The device protocol over the real Kestrel WebSocket (docs/protocol.md).</summary>
[Collection(GatewayCollection.Name)]
public sealed class GatewayProtocolTests(GatewayFixture gateway, ITestOutputHelper output)
{
    [Fact]
    public async Task A_frame_comes_back_as_anti_noise_with_its_sequence_and_playout_time()
    {
        await using var device = await gateway.ConnectDeviceAsync("rt-" + Guid.NewGuid().ToString("N")[..8]);
        var started = await device.StartAsync(delayMs: 20);
        Assert.Equal(48_000, started.SampleRate);
        await device.SendBinaryAsync(DeviceTestClient.AudioFrame(7, timestampUs: 1_000_000));
        var (frame, error) = await device.NextReplyAsync();
        Assert.Null(error);
        Assert.Equal(WireFrame.AntiNoise, frame!.Value.Type);
        Assert.Equal(7u, frame.Value.Sequence);
        Assert.Equal(1_020_000, frame.Value.TimestampUs);
        Assert.Equal(480, frame.Value.SampleCount);
        Assert.Equal(1, frame.Value.Channels);
    }

    [Fact]
    public async Task Every_malformed_frame_gets_an_error_with_its_reason_and_the_session_continues()
    {
        await using var device = await gateway.ConnectDeviceAsync("bad-" + Guid.NewGuid().ToString("N")[..8]);
        await device.StartAsync();
        var good = DeviceTestClient.AudioFrame(1, 0);
        var wrongVersion = (byte[])good.Clone();
        wrongVersion[0] = 9;
        var mismatch = good[..^8];
        var wrongRate = DeviceTestClient.AudioFrame(2, 0, rate: 16_000);
        var nan = DeviceTestClient.AudioFrame(3, 0);
        BinaryPrimitives.WriteSingleLittleEndian(nan.AsSpan(WireFrame.HeaderSize + 40), float.NaN);
        var oversize = new byte[70_000];
        // 38 KB: longer than a connection's own buffer (16 KB), within the limit (64 KB here). It arrives whole (a cut
        // message would be a sample-count mismatch) and the session refuses its length.
        var longFrame = DeviceTestClient.AudioFrame(4, 0, samples: 4_800);
        var cases = new (Func<Task> Send, string Reason)[]
        {
            (() => device.SendBinaryAsync(good[..10]), "truncated header"),
            (() => device.SendBinaryAsync(wrongVersion), "unsupported version"),
            (() => device.SendBinaryAsync(mismatch), "sample-count mismatch"),
            (() => device.SendBinaryAsync(oversize), "oversize"),
            (() => device.SendBinaryAsync(wrongRate), "wrong rate"),
            (() => device.SendBinaryAsync(nan), "non-finite"),
            (() => device.SendBinaryAsync(longFrame), "oversized frame: 4800 samples"),
            (() => device.SendBinaryAsync(oversize), "oversize"),
            (() => device.SendTextAsync("{\"type\": \"audio\", "), "bad JSON"),
            (() => device.SendTextAsync("{\"type\":\"audio\",\"seq\":5,\"pcm\":\"!!notbase64!!\"}"), "bad base64"),
        };
        foreach (var (send, reason) in cases)
        {
            await send();
            var (frame, error) = await device.NextReplyAsync();
            output.WriteLine($"{reason}: {error?.Reason}");
            Assert.Null(frame);
            Assert.Contains(reason, error!.Reason);
        }
        // The session is still healthy: a good frame, binary and then as base64 JSON, is answered.
        await device.SendBinaryAsync(DeviceTestClient.AudioFrame(10, 0));
        Assert.Equal(10u, (await device.NextReplyAsync()).Frame!.Value.Sequence);
        var pcm = DeviceTestClient.AudioFrame(11, 0)[WireFrame.HeaderSize..];
        await device.SendTextAsync(JsonSerializer.Serialize(new ControlMessage { Type = "audio", Sequence = 11, Format = "float32", Samples = 480, Pcm = Convert.ToBase64String(pcm) }));
        Assert.Equal(11u, (await device.NextReplyAsync()).Frame!.Value.Sequence);
    }

    [Fact]
    public async Task A_stalled_client_does_not_delay_another()
    {
        // The stalled device sends 300 frames and never reads a reply.
        await using var stalled = await gateway.ConnectDeviceAsync("stall-" + Guid.NewGuid().ToString("N")[..8]);
        await stalled.StartAsync();
        var flood = Task.Run(async () =>
        {
            for (uint i = 0; i < 300; i++) await stalled.SendBinaryAsync(DeviceTestClient.AudioFrame(i, 0));
        });
        await using var healthy = await gateway.ConnectDeviceAsync("ok-" + Guid.NewGuid().ToString("N")[..8]);
        await healthy.StartAsync();
        for (uint i = 0; i < 100; i++)
        {
            await healthy.SendBinaryAsync(DeviceTestClient.AudioFrame(i, 0));
            var (frame, error) = await healthy.NextReplyAsync();
            Assert.Null(error); // no "late" drop: every frame was processed within the gateway's deadline
            Assert.Equal(i, frame!.Value.Sequence);
        }
        await flood;
    }

    [Fact]
    public async Task Rest_lists_configures_and_ends_sessions_with_problem_details()
    {
        using var http = gateway.AdminClient();
        var id = "rest-" + Guid.NewGuid().ToString("N")[..8];
        var bad = await http.PutAsJsonAsync($"/v1/sessions/{id}/config", new SessionConfig(Algorithm: "lms"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        Assert.Contains("algorithm", await bad.Content.ReadAsStringAsync());

        var ok = await http.PutAsJsonAsync($"/v1/sessions/{id}/config", new SessionConfig(DelayMs: 20));
        ok.EnsureSuccessStatusCode();
        Assert.Contains(id, await http.GetStringAsync("/v1/sessions"));
        Assert.Contains("\"algorithm\":\"hybrid\"", await http.GetStringAsync($"/v1/sessions/{id}"));
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await http.DeleteAsync($"/v1/sessions/{id}")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"/v1/sessions/{id}")).StatusCode);

        var cluster = await http.GetStringAsync("/v1/cluster");
        Assert.Contains("\"status\":\"Active\"", cluster);
        using var anonymous = new HttpClient { BaseAddress = gateway.BaseUrl };
        Assert.Contains("ready", await anonymous.GetStringAsync("/readyz"));
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("orleans_", metrics);
    }

    [Fact]
    public async Task The_warm_up_rehearses_devices_over_the_websocket_then_ends_their_sessions()
    {
        // The fixture asks for 4 devices × 0.5 s (Gateway:WarmupDevices, Gateway:WarmupSeconds): two waves of them.
        var rehearsal = gateway.Services.GetRequiredService<GatewayWarmup>().Rehearsal;
        Assert.NotNull(rehearsal);
        Assert.Equal(8, rehearsal.Value.Devices);
        Assert.Equal(4, rehearsal.Value.EdgeDevices);
        Assert.True(rehearsal.Value.Sent >= 4 * 40 && rehearsal.Value.EdgeSent >= 4 * 40, $"sent {rehearsal.Value.Sent} antinoise, {rehearsal.Value.EdgeSent} edge");
        Assert.True(rehearsal.Value.Answered >= rehearsal.Value.Sent * 9 / 10, $"answered {rehearsal.Value.Answered} of {rehearsal.Value.Sent}");
        using var http = gateway.AdminClient();
        Assert.DoesNotContain("warmup-r", await http.GetStringAsync("/v1/sessions"));
    }
}
