using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Runtime;

namespace AncOrleans.Gateway.Api;

/// <summary><c>GET /v1/cluster</c> (active silos; admin), <c>/healthz</c> (process up) and <c>/readyz</c> (cluster reachable), both open.</summary>
public static class ClusterApi
{
    public sealed record SiloInfo(string Address, string Name, string HostName, string Status, DateTime StartedUtc);

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/cluster", async (IGrainFactory grains) =>
        {
            var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
            return TypedResults.Ok(new
            {
                silos = hosts.Select(h => new SiloInfo(h.SiloAddress.ToParsableString(), h.SiloName, h.HostName, h.Status.ToString(), h.StartTime)).ToArray(),
            });
        }).RequireAuthorization(Security.AncAuth.Admin);
        app.MapGet("/healthz", () => TypedResults.Ok(new { status = "ok" }));
        app.MapGet("/readyz", async Task<Results<Ok<object>, ProblemHttpResult>> (IGrainFactory grains, GatewayWarmup warmup, CancellationToken cancel) =>
        {
            if (!warmup.Completed.IsCompleted) return TypedResults.Problem("Warming up.", statusCode: 503);
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(2), cancel);
                return TypedResults.Ok<object>(new { status = "ready", silos = hosts.Count });
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                return TypedResults.Problem($"The cluster is not reachable: {e.Message}", statusCode: 503);
            }
        });
        return app;
    }
}
