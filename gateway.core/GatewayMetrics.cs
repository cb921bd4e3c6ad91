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
        FramesResent = meter.CreateCounter<long>("FramesResent", "{send}", "Grain calls sent again because the session's silo died");
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

    public void Observe(SessionStats stats)
    {
        NoiseReduction.Record(stats.ReductionDbShortTerm);
        ErrorPower.Record(-stats.ReductionDbShortTerm);
    }
}
