using System.Net.Http.Json;
using AncOrleans.Abstractions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway;

/// <summary>
/// Posts each alert as JSON to <c>Gateway:AlertWebhookUrl</c>, when set (for example a paging service). Fire and
/// forget with a 2 s timeout: a slow or failing receiver never delays audio.
/// </summary>
public sealed class AlertWebhook(HttpClient http, IOptions<GatewayOptions> options, ILogger<AlertWebhook> logger)
{
    public void Notify(EmergencyAlert alert)
    {
        if (options.Value.AlertWebhookUrl is not { Length: > 0 } url) return;
        _ = Task.Run(async () =>
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                using var response = await http.PostAsJsonAsync(url, alert, timeout.Token);
                if (!response.IsSuccessStatusCode) logger.LogWarning("Alert webhook answered {Status}", (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                logger.LogWarning("Alert webhook failed: {Reason}", e.Message);
            }
        });
    }
}
