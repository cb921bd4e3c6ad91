using AncOrleans.Hosting;

namespace AncOrleans.Gateway.Analytics;

/// <summary>Session summaries, anomalies and the audit log (docs/analytics.md).</summary>
public static class AnalyticsHosting
{
    public static IServiceCollection AddAncAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAncAnalyticsStore(configuration);
        services.AddSingleton<OperatorEvents>();
        services.AddSingleton<AnalyticsRecorder>();
        return services;
    }
}
