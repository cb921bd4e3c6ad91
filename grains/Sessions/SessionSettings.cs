using AncOrleans.Abstractions;
using AncOrleans.Dsp;

namespace AncOrleans.Grains.Sessions;

/// <summary>Maps the wire <see cref="SessionConfig"/> onto the DSP's <see cref="AncSettings"/>, with clear errors.</summary>
public static class SessionSettings
{
    public static bool IsEdge(SessionConfig config) => string.Equals(config?.Mode, "edge", StringComparison.OrdinalIgnoreCase);

    /// <summary>Edge mode: the cloud's side (<see cref="EdgeCanceller"/>). delayMs and algorithm do not apply (the device filters locally).</summary>
    public static EdgeSettings Edge(SessionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.FrameSamples < 1) throw new ArgumentException($"frameSamples {config.FrameSamples} must be positive.");
        var settings = new EdgeSettings
        {
            SampleRate = config.SampleRate,
            FilterLength = config.FilterLength,
            SecondaryPath = config.SecondaryPath,
            UpdateMs = config.UpdateMs,
            DutyCycle = config.DutyCycle,
        };
        settings.Validate();
        return settings;
    }

    public static AncSettings From(SessionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var mode = config.Mode?.ToLowerInvariant() switch
        {
            "antinoise" => CancellerMode.AntiNoise,
            "clean" => CancellerMode.Clean,
            "edge" => throw new ArgumentException("edge mode has EdgeSettings: use SessionSettings.Edge."),
            _ => throw new ArgumentException($"mode must be 'antinoise', 'clean' or 'edge', not '{config.Mode}'."),
        };
        var algorithm = config.Algorithm?.ToLowerInvariant() switch
        {
            "nlms" => AdaptiveAlgorithm.Nlms,
            "rls" => AdaptiveAlgorithm.Rls,
            "hybrid" => AdaptiveAlgorithm.Hybrid,
            _ => throw new ArgumentException($"algorithm must be 'nlms', 'rls' or 'hybrid', not '{config.Algorithm}'."),
        };
        if (!double.IsFinite(config.DelayMs) || config.DelayMs < 0 || config.DelayMs > 1000)
            throw new ArgumentException($"delayMs {config.DelayMs} is outside 0–1000.");
        if (config.FrameSamples < 1) throw new ArgumentException($"frameSamples {config.FrameSamples} must be positive.");
        var settings = new AncSettings
        {
            SampleRate = config.SampleRate,
            FilterLength = config.FilterLength,
            Mode = mode,
            Algorithm = algorithm,
            DelaySamples = AncSettings.MillisecondsToSamples(config.DelayMs, config.SampleRate),
            SecondaryPath = config.SecondaryPath,
        };
        settings.Validate();
        if (mode == CancellerMode.AntiNoise && config.FrameSamples > settings.DelaySamples)
            throw new ArgumentException($"frameSamples {config.FrameSamples} exceeds the loop delay ({settings.DelaySamples} samples): a frame's anti-noise could not be back before it is due.");
        return settings;
    }
}
