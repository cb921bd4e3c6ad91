namespace AncOrleans.Gateway;

/// <summary>Section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>A frame that has waited longer than this before processing is dropped (and counted).</summary>
    public int FrameDeadlineMs { get; set; } = 40;

    /// <summary>
    /// Pause before re-sending a frame whose grain call failed because the session's silo died; the frame is re-sent
    /// until it is answered or its deadline (<see cref="FrameDeadlineMs"/>) has passed.
    /// </summary>
    public int ResendPauseMs { get; set; } = 10;

    /// <summary>Largest WebSocket message accepted.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>Replies queued for a slow client before the oldest are dropped.</summary>
    public int SendQueueFrames { get; set; } = 64;

    /// <summary>Seconds between <c>stats</c> events to each device.</summary>
    public double StatsIntervalSeconds { get; set; } = 1;

    /// <summary>Where to POST each emergency alert as JSON; empty for none.</summary>
    public string? AlertWebhookUrl { get; set; }
}
