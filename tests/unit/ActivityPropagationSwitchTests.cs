using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AncOrleans.Tests;

/// <summary>
/// Orleans' activity propagation (a grain-call filter each way) is registered only when tracing is configured
/// (<see cref="TelemetryOptions.Enabled"/>): with no outgoing filter a grain call takes Orleans' direct path, which
/// allocates less per frame (docs/observability.md, "Traces").
/// </summary>
public sealed class ActivityPropagationSwitchTests
{
    [Fact]
    public void Without_tracing_no_grain_call_filter_of_Orleans_propagation_is_registered()
    {
        var services = SiloServices([]);
        Assert.DoesNotContain(services, d => d.ServiceType == typeof(IOutgoingGrainCallFilter));
    }

    [Theory]
    [InlineData("Telemetry:Tracing", "true")]
    [InlineData("Telemetry:Otlp:Endpoint", "http://localhost:4317")]
    public void With_tracing_the_filters_propagate_the_callers_trace(string key, string value)
    {
        var services = SiloServices(new() { [key] = value });
        Assert.Contains(services, d => d.ServiceType == typeof(IOutgoingGrainCallFilter));
        Assert.Contains(services, d => d.ServiceType == typeof(IIncomingGrainCallFilter) && d.ImplementationType?.Name == "ActivityPropagationIncomingGrainCallFilter");
    }

    private static IServiceCollection SiloServices(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.AddAncGrains(builder.Configuration));
        return builder.Services;
    }
}
