using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace AncOrleans.Tests;

/// <summary>The live page's channel and the Orleans Dashboard behind their roles, over the real gateway.</summary>
[Collection(GatewayCollection.Name)]
public sealed class LiveApiTests(GatewayFixture gateway)
{
    [Fact]
    public async Task The_dashboard_answers_for_an_admin_and_refuses_anonymous_and_readers()
    {
        using var admin = gateway.AdminClient();
        var page = await admin.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("html", (await page.Content.ReadAsStringAsync()).ToLowerInvariant());
        var counters = await admin.GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.Contains("hosts", await counters.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        using var anonymous = new HttpClient { BaseAddress = gateway.BaseUrl };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/dashboard/DashboardCounters")).StatusCode);
        using var reader = gateway.AdminClient(gateway.ReaderKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/dashboard/")).StatusCode);

        // A browser: the admin key buys a login cookie, good under /dashboard and nowhere else; the reader's key buys none.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/v1/dashboard/login", null)).StatusCode);
        var login = await admin.PostAsync("/v1/dashboard/login", null);
        Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/dashboard", cookie, StringComparison.OrdinalIgnoreCase);
        var pair = cookie.Split(';')[0];
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = gateway.BaseUrl };
        Assert.Equal(HttpStatusCode.OK, (await WithCookie(browser, HttpMethod.Get, "/dashboard/DashboardCounters", pair)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie(browser, HttpMethod.Get, "/v1/sessions", pair)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie(browser, HttpMethod.Get, "/dashboard/DashboardCounters", "anc-dashboard=forged")).StatusCode);
        // Logging out revokes it.
        Assert.Equal(HttpStatusCode.NoContent, (await WithCookie(browser, HttpMethod.Post, "/dashboard/logout", pair)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookie(browser, HttpMethod.Get, "/dashboard/DashboardCounters", pair)).StatusCode);
    }

    private static async Task<HttpResponseMessage> WithCookie(HttpClient http, HttpMethod method, string path, string cookie)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task The_page_is_open_but_its_channel_needs_a_single_use_ticket_bought_with_a_reader_or_admin_key()
    {
        using var anonymous = new HttpClient { BaseAddress = gateway.BaseUrl };
        var page = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/live.js", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/live.js")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/v1/live/ticket", null)).StatusCode);

        // No ticket, or a made-up one: refused at the upgrade.
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => OpenAsync(null));
        Assert.Contains("401", refused.Message);
        await Assert.ThrowsAsync<WebSocketException>(() => OpenAsync("made-up"));

        using var reader = gateway.AdminClient(gateway.ReaderKey);
        var ticket = await (await reader.PostAsync("/v1/live/ticket", null)).Content.ReadFromJsonAsync<JsonElement>();
        var value = ticket.GetProperty("value").GetString();
        await using var device = await gateway.ConnectDeviceAsync("live-" + Guid.NewGuid().ToString("N")[..8]);
        await device.StartAsync();
        using var socket = await OpenAsync(value);
        // The default view is the first page of the list; this gateway's sessions are in it.
        var update = await ReceiveAsync(socket);
        Assert.Equal("update", update.GetProperty("type").GetString());
        Assert.True(update.GetProperty("total").GetInt32() >= 1);
        Assert.True(update.GetProperty("sessions").GetArrayLength() >= 1);

        // Only what is on screen: no list, no watched session → an update with neither.
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"list":null,"watch":null}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement empty;
        do empty = await ReceiveAsync(socket);
        while (empty.GetProperty("sessions").ValueKind != JsonValueKind.Null && DateTime.UtcNow < deadline);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("sessions").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("session").ValueKind);

        // A bad subscription gets a reason; the channel stays.
        await socket.SendAsync(Encoding.UTF8.GetBytes("""{"list":{"offset":-1,"count":5}}"""), WebSocketMessageType.Text, true, CancellationToken.None);
        JsonElement error;
        do error = await ReceiveAsync(socket);
        while (error.GetProperty("type").GetString() != "error" && DateTime.UtcNow < deadline);
        Assert.Contains("offset", error.GetProperty("reason").GetString());

        // A ticket works once.
        await Assert.ThrowsAsync<WebSocketException>(() => OpenAsync(value));
    }

    private async Task<ClientWebSocket> OpenAsync(string? ticket)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(gateway.BaseUrl) { Scheme = "ws", Path = "/v1/live", Query = ticket is null ? "" : "ticket=" + Uri.EscapeDataString(ticket) }.Uri;
        try
        {
            await socket.ConnectAsync(uri, CancellationToken.None);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<JsonElement> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(filled), timeout.Token) is var r ? new WebSocketReceiveResult(r.Count, r.MessageType, r.EndOfMessage) : null!;
            filled += result.Count;
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(buffer.AsMemory(0, filled)).RootElement.Clone();
    }
}
