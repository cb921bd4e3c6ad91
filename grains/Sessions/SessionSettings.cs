using AncOrleans.Abstractions;
using AncOrleans.Dsp;

namespace AncOrleans.Grains.Sessions;

/// <summary>Maps the wire <see cref="SessionConfig"/> onto the DSP's <see cref="AncSettings"/>, with clear errors.</summary>
public static class SessionSettings
{
    /// <summary>
    /// The most a session's configuration may cost: filter length L × sample rate × secondary-path length |Ŝ|
    /// (5.03e10 = 512 taps at 48 kHz with a 2048-tap Ŝ, or 4096 taps with a 256-tap Ŝ).
    /// </summary>
    public const double MaxConfigCost = 512.0 * 48_000 * 2048;

    /// <summary>The longest frame any mode takes: 100 ms of audio.</summary>
    public static int MaxFrameSamples(int sampleRate) => sampleRate / 10;

    private static void CheckCost(SessionConfig config)
    {
        if (config.FrameSamples > MaxFrameSamples(config.SampleRate))
            throw new ArgumentException($"frameSamples {config.FrameSamples} exceeds 100 ms at {config.SampleRate} Hz ({MaxFrameSamples(config.SampleRate)}).");
        var taps = config.SecondaryPath?.Length ?? 1;
        var cost = (double)config.FilterLength * config.SampleRate * taps;
        if (cost > MaxConfigCost)
            throw new ArgumentException($"too costly: filterLength {config.FilterLength} × sampleRate {config.SampleRate} × secondaryPath {taps} taps = {cost:0.##e0}, over the budget of {MaxConfigCost:0.##e0} (e.g. 512 taps at 48 kHz with a 2048-tap secondary path).");
    }

    public static bool IsEdge(SessionConfig config) => string.Equals(config?.Mode, "edge", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Edge mode: the cloud's side (<see cref="EdgeCanceller"/>). delayMs and algorithm do not apply (the device filters
    /// locally). <paramref name="sessionId"/> sets where its duty cycle's bursts fall (<see cref="EdgeSettings.DutyPhase"/>).
    /// </summary>
    public static EdgeSettings Edge(SessionConfig config, string? sessionId = null)
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
            DutyPhase = sessionId is null ? 0 : SessionPhase.Of(sessionId, 100) / 100.0,
            WarmStartInBackground = true,
        };
        settings.Validate();
        CheckCost(config);
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
        CheckCost(config);
        if (mode == CancellerMode.AntiNoise && config.FrameSamples > settings.DelaySamples)
            throw new ArgumentException($"frameSamples {config.FrameSamples} exceeds the loop delay ({settings.DelaySamples} samples): a frame's anti-noise could not be back before it is due.");
        return settings;
    }
}
