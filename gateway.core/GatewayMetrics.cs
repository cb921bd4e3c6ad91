using System.Diagnostics.Metrics;
using AncOrleans.Abstractions;

namespace AncOrleans.Gateway;

/// <summary>
/// Meter <c>AncOrleans</c>, with the original design's metric names (exported at <c>/metrics</c> beside
/// Orleans' own meter).
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "AncOrleans";

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        NoiseReduction = meter.CreateHistogram<double>("NoiseReductionDB", "dB", "Short-term noise reduction per session, sampled with each stats event");
        ProcessingTime = meter.CreateHistogram<double>("ProcessingTimeMs", "ms", "Grain call time per frame");
        ErrorPower = meter.CreateHistogram<double>("ErrorPower", "dB", "Residual level relative to the noise (negative is quieter)");
        Latency = meter.CreateHistogram<double>("Latency", "ms", "Frame received → reply queued, at the gateway");
        Throughput = meter.CreateCounter<long>("Throughput", "{frame}", "Frames answered");
        ErrorCount = meter.CreateCounter<long>("ErrorCount", "{error}", "Error events sent to devices");
        ValidationErrors = meter.CreateCounter<long>("ValidationErrors", "{frame}", "Frames the session rejected");
        AudioChunksProcessed = meter.CreateCounter<long>("AudioChunksProcessed", "{frame}", "Frames processed");
        AudioChunksReceived = meter.CreateCounter<long>("AudioChunksReceived", "{message}", "Messages received from devices");
        AudioSamplesReceived = meter.CreateCounter<long>("AudioSampleReceived", "{sample}", "Samples per channel received in accepted frames");
        FramesDropped = meter.CreateCounter<long>("FramesDropped", "{frame}", "Frames or replies dropped past their deadline or for a slow client");
        FramesRateLimited = meter.CreateCounter<long>("FramesRateLimited", "{frame}", "Frames dropped because the device sent audio faster than Gateway:MaxRealTimeFactor");
        FramesQueueFull = meter.CreateCounter<long>("FramesQueueFull", "{frame}", "Frames dropped because the device's inbound queue was full");
        AuthThrottled = meter.CreateCounter<long>("AuthThrottled", "{attempt}", "Authentications refused unchecked: the client address failed too often (Auth:MaxFailuresPerMinute)");
        AuthRefused = meter.CreateCounter<long>("AuthRefused", "{attempt}", "Device keys refused (missing, wrong, revoked) on WebSocket, MQTT and REST");
        AccessRefused = meter.CreateCounter<long>("AccessRefused", "{request}", "Requests refused by an access rule: origin, MQTT topic ACL, payload cap");
        ConnectionsReplaced = meter.CreateCounter<long>("ConnectionsReplaced", "{connection}", "Device connections closed because the same device connected again");
        ConnectionsClosedIdle = meter.CreateCounter<long>("ConnectionsClosedIdle", "{connection}", "Device connections closed (or MQTT devices forgotten) after Gateway:IdleTimeoutSeconds without a message");
        FramesResent = meter.CreateCounter<long>("FramesResent", "{send}", "Grain calls sent again because the session's silo died");
        AlertWebhookFailures = meter.CreateCounter<long>("AlertWebhookFailures", "{post}", "Alert webhook posts that failed (each retried with backoff)");
    }

    public Histogram<double> NoiseReduction { get; }
    public Histogram<double> ProcessingTime { get; }
    public Histogram<double> ErrorPower { get; }
    public Histogram<double> Latency { get; }
    public Counter<long> Throughput { get; }
    public Counter<long> ErrorCount { get; }
    public Counter<long> ValidationErrors { get; }
    public Counter<long> AudioChunksProcessed { get; }
    public Counter<long> AudioChunksReceived { get; }
    public Counter<long> AudioSamplesReceived { get; }
    public Counter<long> FramesDropped { get; }
    public Counter<long> FramesResent { get; }
    public Counter<long> AlertWebhookFailures { get; }
    public Counter<long> FramesRateLimited { get; }
    public Counter<long> FramesQueueFull { get; }
    public Counter<long> AuthRefused { get; }
    public Counter<long> AuthThrottled { get; }
    public Counter<long> AccessRefused { get; }
    public Counter<long> ConnectionsReplaced { get; }
    public Counter<long> ConnectionsClosedIdle { get; }

    public void Observe(SessionStats stats)
    {
        NoiseReduction.Record(stats.ReductionDbShortTerm);
        ErrorPower.Record(-stats.ReductionDbShortTerm);
    }
}
