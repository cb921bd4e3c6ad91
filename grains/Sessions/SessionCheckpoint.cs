using AncOrleans.Abstractions;

namespace AncOrleans.Grains.Sessions;

/// <summary>What a session persists: its configuration and the canceller state (float32 LE bytes).</summary>
[GenerateSerializer, Alias("anc.SessionCheckpoint")]
public sealed class SessionCheckpoint
{
    [Id(0)] public SessionConfig? Config { get; set; }
    [Id(1)] public byte[] FilterState { get; set; } = [];
    [Id(2)] public long FramesIn { get; set; }
    [Id(3)] public long FramesOut { get; set; }
    [Id(4)] public long FramesRejected { get; set; }
    [Id(5)] public int Restores { get; set; }
    [Id(6)] public List<EmergencyAlert> Alerts { get; set; } = [];
    [Id(7)] public NoiseClassification? Classification { get; set; }
    /// <summary>The ANC profile in force (null: the configuration as given); the filter state has its shape.</summary>
    [Id(8)] public string? Profile { get; set; }
    /// <summary>Alerts stored but not yet acknowledged by the device, oldest first (<see cref="AlertLedger"/>).</summary>
    [Id(9)] public List<EmergencyAlert> UnackedAlerts { get; set; } = [];
    /// <summary>The emergency kinds in force: while any is, the anti-noise steps aside (passthrough survives failover).</summary>
    [Id(10)] public List<string> ActiveAlertKinds { get; set; } = [];
    /// <summary>Alerts recorded so far: the next alert's id.</summary>
    [Id(11)] public long AlertsRecorded { get; set; }
    /// <summary>Moves to another silo with the state in memory (live migration on a graceful shutdown).</summary>
    [Id(12)] public int Migrations { get; set; }
}
