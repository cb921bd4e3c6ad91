using System.Net;
using Microsoft.Extensions.Configuration;

namespace AncOrleans.Hosting;

/// <summary>
/// The address a silo writes to the membership table, resolved once at start-up, in this order:
/// <c>Orleans:AdvertisedIPAddress</c> when set; else the ECS task metadata endpoint when <c>ECS_CONTAINER_METADATA_URI_V4</c>
/// is set (<see cref="EcsTaskMetadata"/>, a few attempts over <see cref="MetadataTimeout"/>); else loopback.
/// </summary>
public static class AdvertisedAddress
{
    /// <summary>How long start-up waits for the metadata endpoint (it answers in milliseconds once the task runs).</summary>
    public static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    public static IPAddress Resolve(OrleansOptions options, IConfiguration configuration)
    {
        if (options.AdvertisedIPAddress is { } configured) return IPAddress.Parse(configured); // validated already
        var metadata = configuration[EcsTaskMetadata.UriVariable];
        if (string.IsNullOrWhiteSpace(metadata)) return IPAddress.Loopback;
        if (!Uri.TryCreate(metadata, UriKind.Absolute, out var uri))
            throw new InvalidOperationException($"{EcsTaskMetadata.UriVariable} must be an absolute URL, not '{metadata}'.");
        // Options are configured synchronously; this runs once, before the silo starts.
        return Task.Run(() => ReadWithRetriesAsync(uri)).GetAwaiter().GetResult();
    }

    /// <summary>Retries only while the endpoint does not answer; an answer without an address fails at once.</summary>
    private static async Task<IPAddress> ReadWithRetriesAsync(Uri uri)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + MetadataTimeout;
        while (true)
        {
            try
            {
                return EcsTaskMetadata.ParseAddress(await http.GetStringAsync(uri), uri);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (DateTime.UtcNow >= deadline)
                    throw new InvalidOperationException($"The ECS task metadata endpoint {uri} ({EcsTaskMetadata.UriVariable}) did not answer within {MetadataTimeout.TotalSeconds:0} s: {e.Message}", e);
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
        }
    }
}
