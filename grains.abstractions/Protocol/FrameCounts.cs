using System.Text.Json.Serialization;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// Every audio frame a device sent, accounted for (the <c>frames</c> field of the <c>stats</c> event). Each frame
/// received ends in exactly one of answered, refused, late, unavailable, rateLimited or queueFull (or is still in the
/// queue); <see cref="SendDropped"/> counts messages to the device dropped because it did not read them.
/// </summary>
public sealed record FrameCounts(
    [property: JsonPropertyName("received")] long Received,
    [property: JsonPropertyName("answered")] long Answered,
    [property: JsonPropertyName("refused")] long Refused,
    [property: JsonPropertyName("late")] long Late,
    [property: JsonPropertyName("unavailable")] long Unavailable,
    [property: JsonPropertyName("rateLimited")] long RateLimited,
    [property: JsonPropertyName("queueFull")] long QueueFull,
    [property: JsonPropertyName("sendDropped")] long SendDropped)
{
    /// <summary>Frames received that have ended one way or another.</summary>
    [JsonIgnore] public long Settled => Answered + Refused + Late + Unavailable + RateLimited + QueueFull;
}
