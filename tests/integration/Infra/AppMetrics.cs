using System.Diagnostics.Metrics;
using AncOrleans.Gateway;
using Microsoft.Extensions.DependencyInjection;

namespace AncOrleans.Tests.Infra;

/// <summary>The instrument names the app's meter (<see cref="GatewayMetrics.MeterName"/>) really publishes.</summary>
internal static class AppMetrics
{
    public static HashSet<string> Names()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, _) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.MeterName)
                lock (names) names.Add(instrument.Name);
        };
        listener.Start();
        _ = new GatewayMetrics(services.GetRequiredService<IMeterFactory>());
        return names;
    }
}
