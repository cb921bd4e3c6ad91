namespace AncOrleans.Abstractions;

/// <summary>
/// A session's counters and quality. Reductions are 10·log10(noise/residual), where noise is the error mic
/// as it would be without ANC (estimated as e − Ŝ*y) and residual what the ear heard (antinoise) or what was
/// returned (clean).
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.SessionStats")]
public sealed record SessionStats(
    [property: Id(0)] string SessionId,
    [property: Id(1)] long FramesIn,
    [property: Id(2)] long FramesOut,
    [property: Id(3)] long FramesRejected,
    [property: Id(4)] double ReductionDbShortTerm,
    [property: Id(5)] double ReductionDbSinceStart,
    [property: Id(6)] ConvergenceState ConvergenceState,
    [property: Id(7)] string Algorithm,
    [property: Id(8)] string Mode,
    [property: Id(9)] double OutputGain,
    [property: Id(10)] int FilterResets,
    [property: Id(11)] int Restores,
    [property: Id(12)] string? LastError,
    [property: Id(13)] string? NoiseLabel = null,
    [property: Id(14)] string? Profile = null)
{
    /// <summary>Edge mode: coefficient sets sent so far, and the newest version.</summary>
    [Id(15)] public int CoefficientSets { get; init; }

    [Id(16)] public uint CoefficientVersion { get; init; }

    /// <summary>Times the session moved to another silo with its state in memory (a graceful silo shutdown), as against <see cref="Restores"/> from a checkpoint.</summary>
    [Id(17)] public int Migrations { get; init; }

    /// <summary>Σ d̂² and Σ e² since the canceller was built (0 in edge mode): the analytics take reductions from their differences.</summary>
    [Id(40)] public double NoiseEnergy { get; init; }

    [Id(41)] public double ResidualEnergy { get; init; }
}
