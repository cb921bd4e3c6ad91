namespace AncOrleans.Grains.Sessions;

/// <summary>Section <c>Session</c> of the configuration.</summary>
public sealed class SessionGrainOptions
{
    public const string Section = "Session";

    /// <summary>The stream provider the silo registers (<c>AncSiloExtensions.StreamProvider</c> is this).</summary>
    public const string DefaultStreamProvider = "AncStreams";

    /// <summary>Seconds between checkpoints of config + coefficients (also written on deactivation).</summary>
    public double CheckpointSeconds { get; set; } = 5;

    /// <summary>Largest frame accepted, in samples per channel (100 ms at 48 kHz).</summary>
    public int MaxFrameSamples { get; set; } = 4_800;

    /// <summary>Largest accepted |sample| for float32 frames (full scale is 1.0).</summary>
    public float MaxAbsSample { get; set; } = 4f;

    /// <summary>Stream provider for per-frame features: <see cref="DefaultStreamProvider"/>, or empty to disable publishing.</summary>
    public string StreamProvider { get; set; } = DefaultStreamProvider;
}
