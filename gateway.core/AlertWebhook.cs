using System.Collections.Concurrent;
using System.Net.Http.Json;
using AncOrleans.Abstractions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway;

/// <summary>
/// Posts each alert as JSON to <c>Gateway:AlertWebhookUrl</c>, when set (for example a paging service), off the audio
/// path. Once per alert on this gateway: the session re-sends an alert until the device acknowledges it (and again
/// after a failover), so alerts are keyed by <see cref="EmergencyAlert.AlertId"/> and a repeat is not posted again.
/// A failed post (an error status, a 2 s timeout) is retried with backoff (0.5 s, doubling) up to
/// <c>Gateway:AlertWebhookAttempts</c> times; every post carries <c>Idempotency-Key: {AlertId}</c> so a receiver can
/// drop the rare duplicate (a gateway that dies between the receiver's answer and its own bookkeeping).
/// </summary>
public sealed class AlertWebhook(HttpClient http, IOptions<GatewayOptions> options, ILogger<AlertWebhook> logger, GatewayMetrics? metrics = null)
{
    private const int Remembered = 4096;
    private readonly ConcurrentDictionary<string, byte> _seen = new();
    private readonly ConcurrentQueue<string> _order = new();

    /// <summary>Posts the alert unless this gateway already has (or is posting) it. Returns the delivery, for tests.</summary>
    public Task Notify(EmergencyAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        if (options.Value.AlertWebhookUrl is not { Length: > 0 } url) return Task.CompletedTask;
        var key = alert.AlertId ?? $"{alert.SessionId}:{alert.Kind}:{alert.DetectedUtc.Ticks}:{alert.Active}";
        if (!_seen.TryAdd(key, 0)) return Task.CompletedTask;
        _order.Enqueue(key);
        while (_order.Count > Remembered && _order.TryDequeue(out var old)) _seen.TryRemove(old, out _);
        return Task.Run(() => PostAsync(url, key, alert));
    }

    private async Task PostAsync(string url, string key, EmergencyAlert alert)
    {
        var attempts = options.Value.AlertWebhookAttempts;
        var pause = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            string failure;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(alert) };
                request.Headers.Add("Idempotency-Key", key);
                using var response = await http.SendAsync(request, timeout.Token);
                if (response.IsSuccessStatusCode) return;
                failure = $"answered {(int)response.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                failure = e.Message;
            }
            metrics?.AlertWebhookFailures.Add(1);
            if (attempt == attempts)
            {
                logger.LogError("Alert webhook gave up on alert {AlertId} after {Attempts} tries: {Reason}", key, attempts, failure);
                return;
            }
            logger.LogWarning("Alert webhook try {Attempt} of {Attempts} for alert {AlertId} failed ({Reason}); again in {Pause} ms", attempt, attempts, key, failure, pause.TotalMilliseconds);
            await Task.Delay(pause);
            pause *= 2;
        }
    }
}
