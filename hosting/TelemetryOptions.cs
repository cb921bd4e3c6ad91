using Microsoft.Extensions.Configuration;

namespace AncOrleans.Hosting;

/// <summary>
/// Section <c>Telemetry</c>: traces (docs/observability.md, "Traces"). Off unless <c>Telemetry:Otlp:Endpoint</c> is
/// set (or <c>Telemetry:Tracing=true</c>, for an exporter added in code, e.g. a test's in-memory one). Sampling is
/// parent-based on a trace-id ratio: a frame's trace is kept whole or not at all.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Collect traces even without an OTLP endpoint (an exporter configured in code).</summary>
    public bool Tracing { get; set; }

    /// <summary>Share of new traces kept, 0–1 (ParentBased(TraceIdRatioBased)). 1 % by default.</summary>
    public double SamplingRatio { get; set; } = 0.01;

    public OtlpSettings Otlp { get; set; } = new();

    /// <summary>The section as configured (defaults where a key is missing), before validation.</summary>
    public static TelemetryOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

    /// <summary>Whether traces are collected at all.</summary>
    public bool Enabled => Tracing || !string.IsNullOrWhiteSpace(Otlp.Endpoint);

    /// <summary><c>Telemetry:Otlp</c>: where traces go.</summary>
    public sealed class OtlpSettings
    {
        /// <summary>The collector, e.g. <c>http://localhost:4317</c> (gRPC) or <c>http://localhost:4318</c> (HTTP); empty: no export.</summary>
        public string? Endpoint { get; set; }

        /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
        public string Protocol { get; set; } = "grpc";
    }
}
