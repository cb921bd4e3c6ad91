namespace AncOrleans.Abstractions.Analytics;

/// <summary>
/// One line of the audit log: a configuration change or a credential event (<see cref="Action"/>: <c>device.created</c>,
/// <c>device.key-rotated</c>, <c>device.revoked</c>, <c>session.configured</c>, <c>session.ended</c>,
/// <c>recording.on</c>, <c>recording.off</c>), who did it (<see cref="Actor"/>: <c>admin</c> or <c>device:{id}</c>),
/// and on which device. Never holds a key.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.AuditEvent")]
public sealed record AuditEvent(
    [property: Id(0)] DateTime AtUtc,
    [property: Id(1)] string Actor,
    [property: Id(2)] string Action,
    [property: Id(3)] string? DeviceId,
    [property: Id(4)] string Detail);
