using AncOrleans.Abstractions;

namespace AncOrleans.Gateway.Live;

/// <summary>What a viewer asks to see: a page of the session list (null: the list is not on screen) and one session (null: none).</summary>
public sealed record LiveSubscription(LiveListRange? List, string? Watch);

/// <summary>A page of the session list.</summary>
public sealed record LiveListRange(int Offset, int Count);

/// <summary>One update to a viewer: what is on its screen, nothing more.</summary>
public sealed record LiveUpdate(string Type, DateTimeOffset At, int Total, int Offset, LiveRow[]? Sessions, LiveDetail? Session);

/// <summary>A row of the session list.</summary>
public sealed record LiveRow(
    string Id, bool Connected, string? Transport, string Mode, string Algorithm, string State,
    double ReductionShortDb, double ReductionSinceStartDb, string? NoiseLabel, string? Profile,
    int Alerts, EmergencyAlert? LastAlert, double? LatencyP50Ms, double? LatencyP99Ms, string Silo, long FramesIn, long FramesOut, string? Error);

/// <summary>One session's view: its row, the reduction history (1 point per second, oldest first), spectra, top classes and alerts.</summary>
public sealed record LiveDetail(LiveRow Row, float[] ReductionHistoryDb, LiveSpectrum? Spectrum, ClassScore[] TopClasses, EmergencyAlert[] Alerts);

/// <summary>The spectra, levels rounded to 0.1 dB.</summary>
public sealed record LiveSpectrum(int SampleRate, double BinHz, float[] NoiseDb, float[] ResidualDb, long Snapshots);
