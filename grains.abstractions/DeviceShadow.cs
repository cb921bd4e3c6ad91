namespace AncOrleans.Abstractions;

/// <summary>A device shadow: JSON objects for the desired and the reported state, and a version that counts updates.</summary>
[GenerateSerializer, Immutable, Alias("anc.DeviceShadow")]
public sealed record DeviceShadow(
    [property: Id(0)] string Desired,
    [property: Id(1)] string Reported,
    [property: Id(2)] long Version);
