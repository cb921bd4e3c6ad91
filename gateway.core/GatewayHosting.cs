using AncOrleans.Gateway.Analytics;
using AncOrleans.Gateway.Api;
using AncOrleans.Gateway.Devices;
using AncOrleans.Gateway.Live;
using AncOrleans.Gateway.Mqtt;
using AncOrleans.Gateway.Security;
using AncOrleans.Hosting;
using OpenTelemetry.Metrics;
using Orleans.Dashboard;

namespace AncOrleans.Gateway;

/// <summary>The gateway's services and endpoints, one extension each (Program.cs stays short).</summary>
public static class GatewayHosting
{
    public static WebApplicationBuilder AddAncGateway(this WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo => silo.UseAncClustering(builder.Configuration).AddAncGrains(builder.Configuration));
        builder.Services.AddValidatedOptions<GatewayOptions, GatewayOptionsValidator>(builder.Configuration.GetSection(GatewayOptions.Section));
        builder.AddAncSecurity();
        builder.AddAncLive();
        builder.Services.AddSingleton<DeviceCutOff>();
        builder.Services.AddSingleton<SessionRegistry>();
        builder.Services.AddSingleton<GatewayMetrics>();
        builder.Services.AddAncAnalytics(builder.Configuration);
        builder.Services.AddHttpClient<AlertWebhook>();
        builder.Services.AddSingleton<GatewayWarmup>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GatewayWarmup>());
        builder.Services.AddValidatedOptions<MqttOptions, MqttOptionsValidator>(builder.Configuration.GetSection(MqttOptions.Section));
        builder.Services.AddSingleton<BridgeIdentity>();
        builder.Services.AddSingleton<EmbeddedBroker>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EmbeddedBroker>());
        builder.Services.AddSingleton<MqttBridge>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MqttBridge>());
        builder.Services.AddSingleton<ClusterConnections>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ClusterConnections>());
        builder.Services.AddProblemDetails();
        // Traces (Telemetry section; off unless configured): the frame path's spans, Orleans' grain calls, the grains' own.
        builder.Services.AddAncTracing(builder.Configuration, "anc-gateway", GatewayTracing.SourceName);
        // Runtime (GC heap and collections, allocation rate, thread pool, JIT, lock contention) and process (CPU
        // time, memory, threads) metrics beside ours and Orleans', so memory and CPU per session show on /metrics.
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(GatewayMetrics.MeterName, "Microsoft.Orleans")
            .AddRuntimeInstrumentation()
            .AddProcessInstrumentation()
            .AddPrometheusExporter());
        return builder;
    }

    public static WebApplication MapAncGateway(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(15) });
        app.MapDeviceStream();
        app.MapDevicesApi();
        app.MapSessionsApi();
        app.MapClusterApi();
        app.MapAnalyticsApi();
        app.MapRecordingsApi();
        app.MapLiveApi();
        // The Orleans Dashboard (every silo reports to it: hosting's AddAncGrains), for admins only.
        app.MapOrleansDashboard(routePrefix: "/dashboard").RequireAuthorization(AncAuth.Admin);
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(AncAuth.Reader);
        return app;
    }
}
