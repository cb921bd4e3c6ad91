namespace AncOrleans.Gateway;

/// <summary>Section <c>Gateway</c>.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>A frame that has waited longer than this before processing is dropped (and counted).</summary>
    public int FrameDeadlineMs { get; set; } = 40;

    /// <summary>
    /// The same for a session in edge mode. Nothing there waits for a reply (the device runs its own filter); a frame
    /// late by a few hundred ms only delays a coefficient set, while a dropped one is a gap: the cloud restarts its
    /// histories and the emergency detector loses that audio.
    /// </summary>
    public int EdgeFrameDeadlineMs { get; set; } = 1000;

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

    /// <summary>Tries per alert for the webhook (a 2 s timeout each, backoff from 0.5 s doubling): 5 spans about 8 s.</summary>
    public int AlertWebhookAttempts { get; set; } = 5;

    /// <summary>A device connection (WebSocket) or MQTT device with no complete message for this long is closed (or forgotten).</summary>
    public double IdleTimeoutSeconds { get; set; } = 30;

    /// <summary>Kestrel: time to receive a request's headers (the WebSocket upgrade included).</summary>
    public double RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Kestrel: an idle HTTP keep-alive connection is closed after this long.</summary>
    public double KeepAliveTimeoutSeconds { get; set; } = 60;

    /// <summary>Kestrel: concurrent connections (and upgraded WebSockets) at most.</summary>
    public long MaxConnections { get; set; } = 10_000;

    /// <summary>Audio a device may send, as a multiple of real time, over <see cref="RateBurstSeconds"/>; frames beyond are dropped and counted.</summary>
    public double MaxRealTimeFactor { get; set; } = 2;

    /// <summary>Audio (seconds) a device may send at once above real time before the rate limit applies.</summary>
    public double RateBurstSeconds { get; set; } = 1;

    /// <summary>Frames waiting for their grain call, per device; a frame that finds the queue full is dropped and counted.</summary>
    public int InboundQueueFrames { get; set; } = 256;

    /// <summary>MQTT: control and shadow messages waiting per device; beyond, they are refused with an error event.</summary>
    public int ControlQueueMessages { get; set; } = 16;

    /// <summary>
    /// Start-up's rehearsal (GatewayWarmup, WarmupRehearsal): this many devices (half in edge mode) stream over the
    /// gateway's own WebSocket at once, then as many new ones for 1 s, before <c>/readyz</c> turns ready, so the
    /// per-session paths are compiled before real devices arrive; 0 skips it. Off by default, 32 in Development
    /// (gateway/appsettings.Development.json, what `dotnet run --project gateway` uses): in CI the published gateway on
    /// DynamoDB Local stalled its storage during rehearsals of 8 and 32 devices, cause not found (docs/reliability.md).
    /// </summary>
    public int WarmupDevices { get; set; }

    /// <summary>How long the rehearsal's devices stream, seconds.</summary>
    public double WarmupSeconds { get; set; } = 3;
}
