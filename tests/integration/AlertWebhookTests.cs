using System.Net;
using AncOrleans.Abstractions;
using AncOrleans.Gateway;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Tests;

/// <summary>The optional alert webhook posts the alert as JSON to a real HTTP listener: once per alert id, retried on failure.</summary>
public sealed class AlertWebhookTests
{
    [Fact]
    public async Task An_alert_is_posted_as_json_with_its_id_as_idempotency_key()
    {
        using var receiver = new Receiver();
        var webhook = receiver.Webhook();

        var delivery = webhook.Notify(new EmergencyAlert("dev-1", "siren", DateTime.UtcNow, 12.5, true, "dev-1#1"));

        var (request, body) = await receiver.NextAsync(204);
        await delivery.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("POST", request.HttpMethod);
        Assert.Equal("dev-1#1", request.Headers["Idempotency-Key"]);
        Assert.Contains("\"kind\":\"siren\"", body);
        Assert.Contains("\"sessionId\":\"dev-1\"", body);
        Assert.Contains("\"alertId\":\"dev-1#1\"", body);
    }

    [Fact]
    public async Task A_failed_post_is_retried_and_a_repeated_alert_is_not_posted_again()
    {
        using var receiver = new Receiver();
        var webhook = receiver.Webhook();
        var alert = new EmergencyAlert("dev-2", "car_horn", DateTime.UtcNow, 3, true, "dev-2#7");

        var delivery = webhook.Notify(alert);
        var (first, _) = await receiver.NextAsync(503);   // the receiver is down: tried again after 0.5 s
        var (second, _) = await receiver.NextAsync(200);
        await delivery.WaitAsync(TimeSpan.FromSeconds(10));
        // The session re-sends an alert until the device acknowledges it: the gateway posts it once.
        await webhook.Notify(alert);
        await webhook.Notify(alert with { DetectedUtc = DateTime.UtcNow });

        Assert.Equal("dev-2#7", first.Headers["Idempotency-Key"]);
        Assert.Equal("dev-2#7", second.Headers["Idempotency-Key"]);
        Assert.False(receiver.HasPending(TimeSpan.FromMilliseconds(700)), "a repeat of an alert already delivered was posted again");
    }

    private sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly int _port = GatewayFixture.FreePort();
        private Task<HttpListenerContext>? _next;

        public Receiver()
        {
            _listener.Prefixes.Add($"http://127.0.0.1:{_port}/alerts/");
            _listener.Start();
        }

        public AlertWebhook Webhook() => new(new HttpClient(), Options.Create(new GatewayOptions { AlertWebhookUrl = $"http://127.0.0.1:{_port}/alerts/" }), NullLogger<AlertWebhook>.Instance);

        public async Task<(HttpListenerRequest Request, string Body)> NextAsync(int status)
        {
            var context = await (_next ?? _listener.GetContextAsync()).WaitAsync(TimeSpan.FromSeconds(10));
            _next = null;
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = status;
            context.Response.Close();
            return (context.Request, body);
        }

        public bool HasPending(TimeSpan wait)
        {
            _next ??= _listener.GetContextAsync();
            return _next.Wait(wait);
        }

        public void Dispose() => _listener.Close();
    }
}
