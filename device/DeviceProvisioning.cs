using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AncOrleans.Device;

/// <summary>
/// The admin side of <c>/v1/devices</c> (docs/security.md), for tools that make their own devices (<c>anc sim</c>,
/// tests): create a device and get its key (shown once), revoke it.
/// </summary>
public sealed class DeviceProvisioning(Uri gateway, string adminKey) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Creates <paramref name="deviceId"/> and returns its key; a clear exception if the admin key is refused.</summary>
    public async Task<string> CreateAsync(string deviceId, CancellationToken cancel = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/devices") { Content = JsonContent.Create(new { deviceId }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        using var response = await _http.SendAsync(request, cancel);
        var body = await response.Content.ReadAsStringAsync(cancel);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"provisioning {deviceId} at {gateway} failed: {(int)response.StatusCode} {Detail(body)}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>Revokes <paramref name="deviceId"/>'s key (its connections are cut).</summary>
    public async Task RevokeAsync(string deviceId, CancellationToken cancel = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/v1/devices/{deviceId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        using var response = await _http.SendAsync(request, cancel);
        if (!response.IsSuccessStatusCode && (int)response.StatusCode != 404)
            throw new InvalidOperationException($"revoking {deviceId} failed: {(int)response.StatusCode} {Detail(await response.Content.ReadAsStringAsync(cancel))}");
    }

    private static string Detail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    public void Dispose() => _http.Dispose();
}
