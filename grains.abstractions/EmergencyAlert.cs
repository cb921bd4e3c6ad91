namespace AncOrleans.Abstractions;

/// <summary>
/// An emergency sound detected in a session's audio; the session's anti-noise steps aside while it lasts.
/// <see cref="AlertId"/> is given by the session when it records the alert (unique within the session, stable across
/// re-sends and failover): the device acknowledges it (<c>alertAck</c>) and receivers de-duplicate on it.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.EmergencyAlert")]
public sealed record EmergencyAlert(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string Kind,
    [property: Id(2)] DateTime DetectedUtc,
    [property: Id(3)] double AudioSeconds,
    [property: Id(4)] bool Active,
    [property: Id(5)] string? AlertId = null);
