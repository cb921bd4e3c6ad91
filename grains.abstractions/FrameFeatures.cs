namespace AncOrleans.Abstractions;

/// <summary>
/// What a session publishes per frame on its feature stream (namespace <see cref="StreamNamespace"/>, key =
/// session id) for the classifier and emergency grains: levels, and the reference mic as mono int16 PCM so a
/// listener can compute its own spectral features.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.FrameFeatures")]
public sealed record FrameFeatures(
    [property: Id(0)] string SessionId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] long DeviceTimestampUs,
    [property: Id(3)] int SampleRate,
    [property: Id(4)] float ReferenceRms,
    [property: Id(5)] float ErrorRms,
    [property: Id(6)] float ReductionDbShortTerm,
    [property: Id(7)] byte[] ReferencePcm16)
{
    public const string StreamNamespace = "session-features";
}
