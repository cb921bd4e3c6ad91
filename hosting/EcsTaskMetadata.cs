using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace AncOrleans.Hosting;

/// <summary>
/// This container's private IPv4 address from the ECS task metadata endpoint version 4: ECS (Fargate platform 1.4.0
/// and later, EC2 agent 1.39.0 and later) sets <c>ECS_CONTAINER_METADATA_URI_V4</c> in every container, and
/// <c>GET ${ECS_CONTAINER_METADATA_URI_V4}</c> answers the container's metadata, whose
/// <c>Networks[0].IPv4Addresses[0]</c> is the task's ENI address in <c>awsvpc</c> mode (AWS docs, "Amazon ECS task
/// metadata v4 examples for tasks on Fargate"). A DNS lookup of the host name inside a task does not give that address
/// reliably, which is how Orleans silos on ECS come to advertise an address their peers cannot reach.
/// </summary>
public static class EcsTaskMetadata
{
    /// <summary>The environment variable ECS sets to the container's metadata URI (read through configuration).</summary>
    public const string UriVariable = "ECS_CONTAINER_METADATA_URI_V4";

    /// <summary>GETs the container metadata at <paramref name="containerUri"/> and returns its first network's first IPv4 address.</summary>
    /// <exception cref="InvalidOperationException">The endpoint did not answer, or its answer has no usable address; the message says which.</exception>
    public static async Task<IPAddress> ReadAddressAsync(HttpClient http, Uri containerUri, CancellationToken cancel)
    {
        string json;
        try
        {
            json = await http.GetStringAsync(containerUri, cancel);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new InvalidOperationException($"The ECS task metadata endpoint {containerUri} ({UriVariable}) did not answer: {e.Message}", e);
        }
        return ParseAddress(json, containerUri);
    }

    /// <summary>
    /// <c>Networks[0].IPv4Addresses[0]</c> of a container metadata document (the <c>${ECS_CONTAINER_METADATA_URI_V4}</c>
    /// response); <paramref name="source"/> is named in the error.
    /// </summary>
    public static IPAddress ParseAddress(string json, Uri source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("Networks", out var networks) && networks.ValueKind == JsonValueKind.Array && networks.GetArrayLength() > 0
                && networks[0].TryGetProperty("IPv4Addresses", out var addresses) && addresses.ValueKind == JsonValueKind.Array && addresses.GetArrayLength() > 0
                && addresses[0].ValueKind == JsonValueKind.String)
            {
                var text = addresses[0].GetString();
                if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork)
                    return address;
                throw new InvalidOperationException($"The ECS task metadata from {source} gives Networks[0].IPv4Addresses[0] = '{text}', which is not an IPv4 address.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The ECS task metadata from {source} is not JSON: {e.Message}", e);
        }
        throw new InvalidOperationException(
            $"The ECS task metadata from {source} has no Networks[0].IPv4Addresses[0] (the task must use the awsvpc network mode); set Orleans:AdvertisedIPAddress instead.");
    }
}
