namespace AncOrleans.Abstractions.Analytics;

/// <summary>
/// Something wrong with a session, as the rules in docs/observability.md ("Analytics and anomalies") judge it: its
/// <see cref="Kind"/> (<c>reduction-collapse</c>, <c>filter-resets</c>, <c>latency-jump</c>, <c>loss-jump</c>),
/// when it was raised, and the figures that raised it.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.AnomalyFlag")]
public sealed record AnomalyFlag(
    [property: Id(0)] string Kind,
    [property: Id(1)] DateTime AtUtc,
    [property: Id(2)] string Detail);
