namespace AncOrleans.Abstractions.Analytics;

/// <summary>
/// One device session (a connection, from its first message to its end), as the analytics store keeps it: written
/// every <c>Analytics:SummaryIntervalSeconds</c> (60) while it runs and once more when it ends (<see cref="Ended"/>),
/// always under the same key (<see cref="DeviceId"/>, <see cref="StartedUtc"/>). docs/analytics.md says what each
/// field measures.
/// </summary>
[GenerateSerializer, Alias("anc.SessionSummary")]
public sealed record SessionSummary(
    [property: Id(0)] string DeviceId,
    [property: Id(1)] DateTime StartedUtc,
    [property: Id(2)] DateTime UpdatedUtc,
    [property: Id(3)] bool Ended,
    [property: Id(4)] double DurationSeconds,
    [property: Id(5)] long FramesReceived,
    [property: Id(6)] long FramesAnswered,
    [property: Id(7)] long FramesRefused,
    [property: Id(8)] long FramesLost,
    [property: Id(9)] double ReductionDb,
    [property: Id(10)] double ReductionSinceStartDb,
    [property: Id(11)] double ReductionP10Db,
    [property: Id(12)] double ReductionP50Db,
    [property: Id(13)] double ReductionP90Db,
    [property: Id(14)] Dictionary<string, double> SecondsPerLabel,
    [property: Id(15)] int Alerts,
    [property: Id(16)] string? Mode,
    [property: Id(17)] int ModeChanges,
    [property: Id(18)] long Errors,
    [property: Id(19)] string? LastError,
    [property: Id(20)] int SiloMoves,
    [property: Id(21)] int FilterResets,
    [property: Id(22)] double LatencyP50Ms,
    [property: Id(23)] double LatencyP99Ms,
    [property: Id(24)] AnomalyFlag[] Anomalies);
