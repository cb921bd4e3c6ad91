using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;

namespace AncOrleans.Tests;

/// <summary>A gateway that allows 5 failed authentications per address per minute (Auth:MaxFailuresPerMinute).</summary>
public sealed class ThrottledGatewayFixture : GatewayFixture
{
    protected override int MaxAuthFailuresPerMinute => 5;
}

/// <summary>
/// Guessing keys is throttled per client address, across the WebSocket upgrade and REST: after 5 failures in a
/// minute the address is refused unchecked (429, Retry-After) — even with the right key — until the window ends.
/// </summary>
public sealed class AuthThrottleTests(ThrottledGatewayFixture gateway) : IClassFixture<ThrottledGatewayFixture>
{
    [Fact]
    public async Task After_five_wrong_keys_an_address_is_refused_unchecked_with_the_wait()
    {
        var key = await gateway.ProvisionAsync("throttle-dev");
        using var http = new HttpClient { BaseAddress = gateway.BaseUrl };
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
            statuses.Add(await StreamStatusAsync("throttle-dev", "anc_dk_" + new string('x', 43)));
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sessions");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"not-the-admin-key-{i}-{Guid.NewGuid():N}");
            using var response = await http.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));

        // The sixth try, with the right key: refused unchecked, over the WebSocket and over REST.
        Assert.Equal(HttpStatusCode.TooManyRequests, await StreamStatusAsync("throttle-dev", key));
        using var admin = gateway.AdminClient();
        using var rest = await admin.GetAsync("/v1/sessions");
        Assert.Equal(HttpStatusCode.TooManyRequests, rest.StatusCode);
        Assert.InRange(rest.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Contains("too many failed authentications", await rest.Content.ReadAsStringAsync());
        // Liveness is not behind authentication.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
    }

    /// <summary>The status of a WebSocket upgrade to the device's stream with <paramref name="key"/>.</summary>
    private async Task<HttpStatusCode> StreamStatusAsync(string deviceId, string key)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        try
        {
            await socket.ConnectAsync(new Uri($"ws://{gateway.BaseUrl.Authority}/v1/devices/{deviceId}/stream"), CancellationToken.None);
            return socket.HttpStatusCode;
        }
        catch (WebSocketException)
        {
            return socket.HttpStatusCode;
        }
    }
}
