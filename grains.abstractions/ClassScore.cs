namespace AncOrleans.Abstractions;

/// <summary>One noise category and the classifier's smoothed probability for it.</summary>
[GenerateSerializer, Immutable, Alias("anc.ClassScore")]
public sealed record ClassScore(
    [property: Id(0)] string Label,
    [property: Id(1)] float Probability);
