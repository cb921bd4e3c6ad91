using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions.Protocol;
using MQTTnet;
using MQTTnet.Exceptions;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Issue 14's attacks against the real gateway (Kestrel, the embedded MQTT broker): each is refused with a reason;
/// a device with its key streams as before; a revoked key is cut off within a second.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SecurityTests(GatewayFixture gateway, ITestOutputHelper output)
{
    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<(HttpStatusCode Status, string Body)> UpgradeAsync(string id, string? key, string? origin = null, string? query = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (key is not null) socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        if (origin is not null) socket.Options.SetRequestHeader("Origin", origin);
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{gateway.BaseUrl.Authority}/v1/devices/{id}/stream{query}"), CancellationToken.None);
            return (HttpStatusCode.SwitchingProtocols, "");
        }
        catch (WebSocketException)
        {
            // The refusal's body is not exposed by ClientWebSocket: ask again over plain HTTP for the reason.
            using var http = new HttpClient { BaseAddress = gateway.BaseUrl };
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/devices/{id}/stream{query}");
            request.Headers.Connection.Add("Upgrade");
            request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
            request.Headers.Add("Sec-WebSocket-Version", "13");
            request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
            if (key is not null) request.Headers.Authorization = new("Bearer", key);
            if (origin is not null) request.Headers.Add("Origin", origin);
            using var response = await http.SendAsync(request);
            return (socket.HttpStatusCode, await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_websocket_without_the_devices_own_key_is_refused_with_the_reason()
    {
        var victim = NewId("victim");
        var victimKey = await gateway.ProvisionAsync(victim);
        var other = NewId("other");
        var otherKey = await gateway.ProvisionAsync(other);

        var none = await UpgradeAsync(victim, null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
        Assert.Contains("no device key", none.Body);
        var wrong = await UpgradeAsync(victim, Keys());
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.Contains("unknown device or wrong key", wrong.Body);
        // another device's valid key does not open this device's stream
        var borrowed = await UpgradeAsync(victim, otherKey);
        Assert.Equal(HttpStatusCode.Unauthorized, borrowed.Status);
        // the admin key is not a device key either
        Assert.Equal(HttpStatusCode.Unauthorized, (await UpgradeAsync(victim, gateway.AdminKey)).Status);
        // '..' and an id ending in a newline never reach authentication
        Assert.Contains((await UpgradeAsync("..", victimKey)).Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });
        Assert.Contains((await UpgradeAsync("dev%0A", victimKey)).Status, new[] { HttpStatusCode.BadRequest, HttpStatusCode.NotFound });

        // and the device itself streams as before
        await using var device = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, victim, victimKey);
        await device.StartAsync();
        await device.SendBinaryAsync(DeviceTestClient.AudioFrame(1, 0));
        Assert.Equal(1u, (await device.NextReplyAsync()).Frame!.Value.Sequence);
        output.WriteLine($"no key: {none.Body}");
    }

    private static string Keys() => "ancd_" + Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_')[..43];

    [Fact]
    public async Task A_browser_origin_must_be_allowed_and_may_use_access_token()
    {
        var id = NewId("browser");
        var key = await gateway.ProvisionAsync(id);
        var evil = await UpgradeAsync(id, key, origin: "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, evil.Status);
        Assert.Contains("origin 'https://evil.example' may not open a device stream", evil.Body);
        var allowed = await UpgradeAsync(id, null, origin: "https://app.example.com", query: $"?access_token={key}");
        Assert.Equal(HttpStatusCode.SwitchingProtocols, allowed.Status);
    }

    [Fact]
    public async Task A_second_connection_with_the_key_takes_over_and_the_first_is_closed_with_the_reason()
    {
        var id = NewId("twice");
        var key = await gateway.ProvisionAsync(id);
        await using var first = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, id, key);
        await first.StartAsync();
        await using var second = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, id, key);
        // the first hears the close with its reason
        var closed = await Assert.ThrowsAnyAsync<Exception>(async () => { while (true) await first.ReceiveAsync(TimeSpan.FromSeconds(5)); });
        output.WriteLine($"first: {first.State} '{first.CloseReason}' ({closed.GetType().Name})");
        Assert.Contains("replaced", first.CloseReason);
        await second.StartAsync();
        await second.SendBinaryAsync(DeviceTestClient.AudioFrame(3, 0));
        Assert.Equal(3u, (await second.NextReplyAsync()).Frame!.Value.Sequence);
    }

    [Fact]
    public async Task Rest_needs_a_role_and_a_device_reads_only_its_own_session()
    {
        var id = NewId("rest-sec");
        var key = await gateway.ProvisionAsync(id);
        await using var device = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, id, key);
        await device.StartAsync();
        var otherId = NewId("rest-other");
        await using var other = await gateway.ConnectDeviceAsync(otherId);
        await other.StartAsync();

        using var anonymous = new HttpClient { BaseAddress = gateway.BaseUrl };
        foreach (var path in new[] { "/v1/sessions", $"/v1/sessions/{id}", "/v1/cluster", "/metrics", "/v1/devices" })
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Bearer", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync($"/v1/sessions/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);

        using var reader = gateway.AdminClient(gateway.ReaderKey);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/metrics")).StatusCode);
        var forbidden = await reader.DeleteAsync($"/v1/sessions/{id}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("role reader may not DELETE", await forbidden.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/v1/cluster")).StatusCode);

        using var asDevice = gateway.AdminClient(key);
        Assert.Equal(HttpStatusCode.OK, (await asDevice.GetAsync($"/v1/sessions/{id}")).StatusCode);
        var snoop = await asDevice.GetAsync($"/v1/sessions/{otherId}");
        Assert.Equal(HttpStatusCode.Unauthorized, snoop.StatusCode); // the key is not the other device's
        Assert.Equal(HttpStatusCode.Unauthorized, (await asDevice.GetAsync("/v1/sessions")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asDevice.DeleteAsync($"/v1/sessions/{otherId}")).StatusCode);
    }

    [Fact]
    public async Task Provisioning_returns_the_key_once_refuses_a_duplicate_and_lists_devices()
    {
        using var admin = gateway.AdminClient();
        var id = NewId("prov");
        var created = await admin.PostAsJsonAsync("/v1/devices", new { deviceId = id });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        Assert.Contains("ancd_", await created.Content.ReadAsStringAsync());
        var again = await admin.PostAsJsonAsync("/v1/devices", new { deviceId = id });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains(id, await admin.GetStringAsync("/v1/devices"));
        var info = await admin.GetStringAsync($"/v1/devices/{id}");
        Assert.DoesNotContain("ancd_", info); // the key is never shown again
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/v1/devices", new { deviceId = ".." })).StatusCode);
        using var reader = gateway.AdminClient(gateway.ReaderKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/v1/devices", new { deviceId = NewId("x") })).StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_cut_off_within_a_second_on_websocket_and_mqtt()
    {
        using var admin = gateway.AdminClient();
        var wsId = NewId("revoke-ws");
        var wsKey = await gateway.ProvisionAsync(wsId);
        await using var ws = await DeviceTestClient.ConnectAsync(gateway.BaseUrl, wsId, wsKey);
        await ws.StartAsync();
        var mqttId = NewId("revoke-mqtt");
        var mqttKey = await gateway.ProvisionAsync(mqttId);
        await using var mqtt = await MqttDeviceClient.ConnectAsync(gateway.MqttPort, mqttId, mqttKey);
        await mqtt.PublishJsonAsync("control", new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, Format = "float32", DelayMs = 20 });
        await mqtt.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "started"));

        var revoked = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/devices/{wsId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/devices/{mqttId}")).StatusCode);
        while (revoked.Elapsed < TimeSpan.FromSeconds(1) && (ws.State == WebSocketState.Open || mqtt.Client.IsConnected))
        {
            try { await ws.ReceiveAsync(TimeSpan.FromMilliseconds(50)); }
            catch (Exception) { await Task.Delay(10); } // timeouts, and the close frame (not a protocol frame)
        }
        output.WriteLine($"cut off after {revoked.ElapsedMilliseconds} ms: ws {ws.State} '{ws.CloseReason}', mqtt connected {mqtt.Client.IsConnected}");
        Assert.NotEqual(WebSocketState.Open, ws.State);
        Assert.Contains("revoked", ws.CloseReason);
        Assert.False(mqtt.Client.IsConnected);
        Assert.True(revoked.Elapsed < TimeSpan.FromSeconds(1.5), $"{revoked.ElapsedMilliseconds} ms"); // two DELETEs and the close within 1 s of each

        var back = await UpgradeAsync(wsId, wsKey);
        Assert.Equal(HttpStatusCode.Unauthorized, back.Status);
        Assert.Contains("revoked", back.Body);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => MqttDeviceClient.ConnectAsync(gateway.MqttPort, mqttId, mqttKey));
        output.WriteLine(refused.Message);
    }

    private async Task<MqttClientConnectResultCode> MqttConnectAsync(string clientId, string? user, string? password)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.MqttPort).WithClientId(clientId);
        if (user is not null) options = options.WithCredentials(user, password);
        try
        {
            var result = await client.ConnectAsync(options.Build());
            return result.ResultCode;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            output.WriteLine($"{clientId}/{user}: {e.Message}");
            return MqttClientConnectResultCode.NotAuthorized;
        }
    }

    [Fact]
    public async Task Mqtt_anonymous_wrong_key_borrowed_id_and_the_bridges_identity_are_refused()
    {
        var id = NewId("mqtt-sec");
        var key = await gateway.ProvisionAsync(id);
        Assert.NotEqual(MqttClientConnectResultCode.Success, await MqttConnectAsync(id, null, null));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await MqttConnectAsync("anything", null, null));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await MqttConnectAsync(id, id, Keys()));
        Assert.NotEqual(MqttClientConnectResultCode.Success, await MqttConnectAsync("someone-else", id, key)); // client id ≠ device id
        var bridgeId = gateway.Services.GetRequiredService<AncOrleans.Gateway.Mqtt.BridgeIdentity>().ClientId;
        Assert.NotEqual(MqttClientConnectResultCode.Success, await MqttConnectAsync(bridgeId, "$anc-bridge", "guess"));
        Assert.Equal(MqttClientConnectResultCode.Success, await MqttConnectAsync(id, id, key));
    }

    [Fact]
    public async Task Mqtt_a_device_can_neither_read_another_nor_steer_it_nor_forge_what_the_cloud_sends()
    {
        var victimId = NewId("mqtt-victim");
        await using var victim = await gateway.ConnectMqttDeviceAsync(victimId);
        var attackerId = NewId("mqtt-attacker");
        await using var attacker = await gateway.ConnectMqttDeviceAsync(attackerId);

        // subscriptions outside its own topics are refused (SUBACK reason), with an error event saying why
        foreach (var filter in new[] { "anc/#", $"anc/{victimId}/events", "anc/+/antinoise", $"anc/{attackerId}/#", "anc/alerts/+" })
        {
            var result = await attacker.Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
            Assert.NotEqual(MqttClientSubscribeResultCode.GrantedQoS0, result.Items.Single().ResultCode);
        }
        var why = JsonSerializer.Deserialize<ControlMessage>(await attacker.NextAsync("events", p => MqttDeviceClient.IsEvent(p, "error")))!;
        Assert.Contains("not allowed to subscribe", why.Reason);

        // publishing the victim's control, or forging anti-noise, events or alerts, never reaches anyone
        await attacker.PublishToAsync($"anc/{victimId}/control", new ControlMessage { Type = "start", Algorithm = "nlms" }.ToUtf8());
        await attacker.PublishToAsync($"anc/{victimId}/antinoise", DeviceTestClient.AudioFrame(1, 0));
        await attacker.PublishToAsync($"anc/{victimId}/events", new ControlMessage { Type = "alert" }.ToUtf8());
        await attacker.PublishToAsync($"anc/alerts/{victimId}", new ControlMessage { Type = "alert" }.ToUtf8());
        await attacker.PublishToAsync($"anc/{attackerId}/events", new ControlMessage { Type = "alert" }.ToUtf8());
        var refusal = JsonSerializer.Deserialize<ControlMessage>(await attacker.NextAsync("events",
            p => MqttDeviceClient.IsEvent(p, "error") && Encoding.UTF8.GetString(p).Contains("publish", StringComparison.Ordinal)))!;
        Assert.Contains($"not allowed to publish to 'anc/{victimId}/control'", refusal.Reason);
        // the victim heard nothing of it: its first message is the answer to its own start
        await victim.PublishJsonAsync("control", new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, Format = "float32", DelayMs = 20 });
        var first = JsonSerializer.Deserialize<ControlMessage>(await victim.NextAsync("events"))!;
        Assert.Equal("started", first.Type);
        Assert.Equal("hybrid", first.Algorithm);
    }
}
