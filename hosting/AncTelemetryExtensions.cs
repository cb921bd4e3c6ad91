using AncOrleans.Grains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AncOrleans.Hosting;

/// <summary>
/// Traces over OTLP (docs/observability.md, "Traces"): Orleans' grain-call spans (activity propagation is on in every
/// silo and client when tracing is, so a caller's span and the grain's are one trace), the grains' own spans (classifier, emergency,
/// alert) and whatever sources the host adds (the gateway's frame path). Off unless configured
/// (<see cref="TelemetryOptions"/>): with no listener, <c>ActivitySource.StartActivity</c> returns null and a
/// frame pays nothing.
/// </summary>
public static class AncTelemetryExtensions
{
    /// <summary>Orleans' activity sources for grain calls (application and runtime).</summary>
    public static readonly string[] OrleansSources = ["Microsoft.Orleans.Application", "Microsoft.Orleans.Runtime"];

    /// <summary>Registers tracing when <c>Telemetry</c> enables it, for a service named <paramref name="serviceName"/>.</summary>
    public static IServiceCollection AddAncTracing(this IServiceCollection services, IConfiguration configuration, string serviceName, params string[] sources)
    {
        services.AddValidatedOptions<TelemetryOptions, TelemetryOptionsValidator>(configuration.GetSection(TelemetryOptions.Section));
        var options = TelemetryOptions.From(configuration);
        if (!options.Enabled) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource([.. OrleansSources, GrainTracing.SourceName, .. sources])
                    .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(Math.Clamp(options.SamplingRatio, 0, 1))));
                if (!string.IsNullOrWhiteSpace(options.Otlp.Endpoint))
                    tracing.AddOtlpExporter(otlp =>
                    {
                        otlp.Endpoint = new Uri(options.Otlp.Endpoint);
                        otlp.Protocol = options.Otlp.Protocol == "http/protobuf" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    });
            });
        return services;
    }
}
