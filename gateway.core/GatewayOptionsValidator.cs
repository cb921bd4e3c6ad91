using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway;

/// <summary>Checks <see cref="GatewayOptions"/> at start-up; every message names the configuration key to fix.</summary>
public sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    private const string Prefix = GatewayOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        // A frame is 10–20 ms of audio: a deadline beyond a second is no longer real time.
        if (options.EdgeFrameDeadlineMs is < 1 or > 10_000)
            errors.Add($"{Prefix}EdgeFrameDeadlineMs must be between 1 and 10000, not {options.EdgeFrameDeadlineMs}.");
        if (options.FrameDeadlineMs is < 1 or > 1000)
            errors.Add($"{Prefix}FrameDeadlineMs must be between 1 and 1000, not {options.FrameDeadlineMs}.");
        // A pause as long as the deadline leaves no time to re-send.
        else if (options.ResendPauseMs < 0 || options.ResendPauseMs >= options.FrameDeadlineMs)
            errors.Add($"{Prefix}ResendPauseMs must be at least 0 and less than {Prefix}FrameDeadlineMs ({options.FrameDeadlineMs}), not {options.ResendPauseMs}.");
        // Each connection holds a receive buffer this large; it must fit a 10 ms float32 stereo frame at 48 kHz.
        if (options.MaxMessageBytes is < 4096 or > 16 * 1024 * 1024)
            errors.Add($"{Prefix}MaxMessageBytes must be between 4096 and 16777216, not {options.MaxMessageBytes}.");
        if (options.SendQueueFrames is < 1 or > 4096)
            errors.Add($"{Prefix}SendQueueFrames must be between 1 and 4096, not {options.SendQueueFrames}.");
        if (!(options.StatsIntervalSeconds is >= 0.05 and <= 3600))
            errors.Add($"{Prefix}StatsIntervalSeconds must be between 0.05 and 3600, not {options.StatsIntervalSeconds}.");
        if (!string.IsNullOrEmpty(options.AlertWebhookUrl)
            && !(Uri.TryCreate(options.AlertWebhookUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
            errors.Add($"{Prefix}AlertWebhookUrl '{options.AlertWebhookUrl}' must be an absolute http(s) URL, or empty for none.");
        if (options.AlertWebhookAttempts is < 1 or > 20)
            errors.Add($"{Prefix}AlertWebhookAttempts must be between 1 and 20, not {options.AlertWebhookAttempts}.");
        if (!(options.IdleTimeoutSeconds is >= 1 and <= 3600))
            errors.Add($"{Prefix}IdleTimeoutSeconds must be between 1 and 3600, not {options.IdleTimeoutSeconds}.");
        if (!(options.RequestHeadersTimeoutSeconds is >= 1 and <= 300))
            errors.Add($"{Prefix}RequestHeadersTimeoutSeconds must be between 1 and 300, not {options.RequestHeadersTimeoutSeconds}.");
        if (!(options.KeepAliveTimeoutSeconds is >= 1 and <= 3600))
            errors.Add($"{Prefix}KeepAliveTimeoutSeconds must be between 1 and 3600, not {options.KeepAliveTimeoutSeconds}.");
        if (options.MaxConnections is < 1 or > 1_000_000)
            errors.Add($"{Prefix}MaxConnections must be between 1 and 1000000, not {options.MaxConnections}.");
        // Below 1× a real-time device could not keep up; far above, the limit protects nothing.
        if (!(options.MaxRealTimeFactor is >= 1 and <= 16))
            errors.Add($"{Prefix}MaxRealTimeFactor must be between 1 and 16, not {options.MaxRealTimeFactor}.");
        if (!(options.RateBurstSeconds is >= 0.1 and <= 60))
            errors.Add($"{Prefix}RateBurstSeconds must be between 0.1 and 60, not {options.RateBurstSeconds}.");
        if (options.InboundQueueFrames is < 1 or > 4096)
            errors.Add($"{Prefix}InboundQueueFrames must be between 1 and 4096, not {options.InboundQueueFrames}.");
        if (options.ControlQueueMessages is < 1 or > 1024)
            errors.Add($"{Prefix}ControlQueueMessages must be between 1 and 1024, not {options.ControlQueueMessages}.");
        if (options.WarmupDevices is < 0 or > 1000)
            errors.Add($"{Prefix}WarmupDevices must be between 0 and 1000 (0: no rehearsal), not {options.WarmupDevices}.");
        if (!(options.WarmupSeconds is >= 0.1 and <= 60))
            errors.Add($"{Prefix}WarmupSeconds must be between 0.1 and 60, not {options.WarmupSeconds}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
