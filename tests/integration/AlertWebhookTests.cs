using System.Net;
using AncOrleans.Abstractions;
using AncOrleans.Gateway;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Tests;

/// <summary>The optional alert webhook posts the alert as JSON to a real HTTP listener.</summary>
public sealed class AlertWebhookTests
{
    [Fact]
    public async Task An_alert_is_posted_as_json()
    {
        var port = GatewayFixture.FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/alerts/");
        listener.Start();
        var webhook = new AlertWebhook(new HttpClient(), Options.Create(new GatewayOptions { AlertWebhookUrl = $"http://127.0.0.1:{port}/alerts/" }), NullLogger<AlertWebhook>.Instance);

        webhook.Notify(new EmergencyAlert("dev-1", "siren", DateTime.UtcNow, 12.5, true));

        var context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(context.Request.InputStream);
        var body = await reader.ReadToEndAsync();
        context.Response.StatusCode = 204;
        context.Response.Close();
        Assert.Equal("POST", context.Request.HttpMethod);
        Assert.Contains("\"kind\":\"siren\"", body);
        Assert.Contains("\"sessionId\":\"dev-1\"", body);
    }
}
