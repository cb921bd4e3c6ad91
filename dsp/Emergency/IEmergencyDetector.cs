namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// What a session's emergency listener runs on its reference mic: the DSP patterns alone (<see cref="EmergencyDetector"/>)
/// or fused with the noise model (<see cref="FusedEmergencyDetector"/>). Audio in; a detection's start and end out.
/// </summary>
public interface IEmergencyDetector
{
    /// <summary>The emergency being signalled, or null.</summary>
    string? Active { get; }

    /// <summary>A detection starts: (kind, time of detection in seconds since the first sample).</summary>
    event Action<string, double>? Detected;

    /// <summary>A detection ends: (kind, seconds since the first sample).</summary>
    event Action<string, double>? Cleared;

    /// <summary>Feeds mono samples at the detector's rate.</summary>
    void Push(ReadOnlySpan<float> samples);
}
