namespace AncOrleans.Abstractions;

/// <summary>
/// One session as the live page shows it: the overview, the short-term reduction once a second over the last minutes
/// (oldest first), the live spectra (null until enough audio has been seen while watched, and in edge mode), and the
/// alert history (oldest first).
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.SessionView")]
public sealed record SessionView(
    [property: Id(0)] SessionOverview Overview,
    [property: Id(1)] float[] ReductionHistoryDb,
    [property: Id(2)] SessionSpectrum? Spectrum,
    [property: Id(3)] EmergencyAlert[] Alerts);
