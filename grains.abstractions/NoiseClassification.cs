namespace AncOrleans.Abstractions;

/// <summary>
/// The classifier's verdict on a session's noise, sent when it changes (with hysteresis): the category label
/// (docs/classifier.md), its smoothed probability, the ANC profile that category selects, whether the session
/// applied it, and which backend decided (<c>embedded</c>, <c>sagemaker</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.NoiseClassification")]
public sealed record NoiseClassification(
    [property: Id(0)] string SessionId,
    [property: Id(1)] string Label,
    [property: Id(2)] float Confidence,
    [property: Id(3)] string Profile,
    [property: Id(4)] bool ApplyProfile,
    [property: Id(5)] double AudioSeconds,
    [property: Id(6)] string Backend);
