using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Sessions;

/// <summary>Checks <see cref="SessionGrainOptions"/> at start-up; every message names the configuration key to fix.</summary>
public sealed class SessionGrainOptionsValidator : IValidateOptions<SessionGrainOptions>
{
    private const string Prefix = SessionGrainOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, SessionGrainOptions options)
    {
        var errors = new List<string>();
        if (options.EdgeConvergingPerCore is < 0 or > 10_000)
            errors.Add($"{Prefix}EdgeConvergingPerCore must be between 0 (no limit) and 10000, not {options.EdgeConvergingPerCore}.");
        if (!(options.EdgeConvergeSeconds is >= 0.1 and <= 3600))
            errors.Add($"{Prefix}EdgeConvergeSeconds must be between 0.1 and 3600, not {options.EdgeConvergeSeconds}.");
        // Checkpoints are timer ticks; more often than 10 per second would be per-frame writes in all but name.
        if (!(options.CheckpointSeconds is >= 0.1 and <= 3600))
            errors.Add($"{Prefix}CheckpointSeconds must be between 0.1 and 3600, not {options.CheckpointSeconds}.");
        // The session's buffers are sized from it: at most one second at 48 kHz.
        if (options.MaxFrameSamples is < 1 or > 48_000)
            errors.Add($"{Prefix}MaxFrameSamples must be between 1 and 48000, not {options.MaxFrameSamples}.");
        // Full scale is 1.0: below it, full-scale float audio would be rejected.
        if (!(options.MaxAbsSample is >= 1 and <= 1000))
            errors.Add($"{Prefix}MaxAbsSample must be between 1 and 1000, not {options.MaxAbsSample}.");
        // Below 10 ms a batch is a frame (per-frame calls again); above 1 s an alert would wait for it.
        if (options.FeatureBatchMs is < 10 or > 1000)
            errors.Add($"{Prefix}FeatureBatchMs must be between 10 and 1000, not {options.FeatureBatchMs}.");
        if (!(options.WarmupSeconds is >= 0 and <= 120))
            errors.Add($"{Prefix}WarmupSeconds must be between 0 and 120, not {options.WarmupSeconds}.");
        if (options.EvacuationParallel is < 1 or > 64)
            errors.Add($"{Prefix}EvacuationParallel must be between 1 and 64, not {options.EvacuationParallel}.");
        if (!(options.AlertResendSeconds is >= 0.1 and <= 60))
            errors.Add($"{Prefix}AlertResendSeconds must be between 0.1 and 60, not {options.AlertResendSeconds}.");
        if (!(options.AlertExpirySeconds >= options.AlertResendSeconds && options.AlertExpirySeconds <= 3600))
            errors.Add($"{Prefix}AlertExpirySeconds must be between AlertResendSeconds and 3600, not {options.AlertExpirySeconds}.");
        // Below the detector's re-assertion period (2 s) a live alert would be cleared after every failover.
        if (!(options.RestoredAlertHoldSeconds is >= 3 and <= 600))
            errors.Add($"{Prefix}RestoredAlertHoldSeconds must be between 3 and 600, not {options.RestoredAlertHoldSeconds}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
