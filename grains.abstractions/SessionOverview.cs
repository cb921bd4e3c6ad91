namespace AncOrleans.Abstractions;

/// <summary>A session as the live page lists it: its stats, the silo it runs on, and its alerts (count, the last one).</summary>
[GenerateSerializer, Immutable, Alias("anc.SessionOverview")]
public sealed record SessionOverview(
    [property: Id(0)] SessionStats Stats,
    [property: Id(1)] string Silo,
    [property: Id(2)] int Alerts,
    [property: Id(3)] EmergencyAlert? LastAlert);
