using System.Net;
using AncOrleans.Grains.Classification;
using AncOrleans.Grains.Sessions;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Aws.SageMaker;
using Orleans.Runtime.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace AncOrleans.Hosting;

/// <summary>The silo configuration shared by the worker silo, the gateway silo and the test cluster.</summary>
public static class AncSiloExtensions
{
    public const string StreamProvider = "AncStreams";

    /// <summary>Defaults for a worker silo started beside a local gateway.</summary>
    public static readonly Dictionary<string, string?> WorkerDefaults = new()
    {
        ["Orleans:SiloPort"] = "11112",
        ["Orleans:GatewayPort"] = "30001",
        ["Orleans:PrimarySiloPort"] = "11111",
    };

    /// <summary>Grain storage, streams and session options (providers chosen by configuration).</summary>
    public static ISiloBuilder AddAncGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddOptions<SessionGrainOptions>().Bind(configuration.GetSection(SessionGrainOptions.Section));
        // Classifier:Backend = embedded (default) | sagemaker (falls back to embedded on failure)
        silo.Services.AddOptions<ClassifierOptions>().Bind(configuration.GetSection(ClassifierOptions.Section));
        silo.Services.AddKeyedSingleton<INoiseClassifierBackend, EmbeddedClassifierBackend>("embedded");
        silo.Services.AddAncClassifierBackend(configuration);
        // Orleans' default placement (resource-optimised) prefers the calling silo within LocalSiloPreferenceMargin
        // (5 %): sessions a gateway starts stay on its silo. Placement:LocalSiloPreferenceMargin=0 spreads them.
        silo.Services.AddOptions<ResourceOptimizedPlacementOptions>().Bind(configuration.GetSection("Placement"));
        // Persistence:Provider = memory (default) | dynamodb
        if (string.Equals(configuration["Persistence:Provider"], "dynamodb", StringComparison.OrdinalIgnoreCase))
        {
            var options = configuration.GetSection(DynamoDbOptions.Section).Get<DynamoDbOptions>() ?? new DynamoDbOptions();
            var client = DynamoDbClientFactory.Create(options);
            foreach (var store in new[] { "sessions", "PubSubStore" })
                silo.Services.AddGrainStorage(store, (services, name) =>
                    new DynamoDbGrainStorage(name, options, client, services.GetRequiredService<Orleans.Serialization.Serializer>()));
        }
        else
        {
            silo.AddMemoryGrainStorage("sessions");
            silo.AddMemoryGrainStorage("PubSubStore");
        }
        // Features feed the emergency detector: poll the memory queues every 20 ms instead of the default 100 ms,
        // so the stream adds at most ~20 ms to an alert's latency (the detector needs ≥ 1 s of audio anyway).
        silo.AddMemoryStreams(StreamProvider, streams => streams.ConfigurePullingAgent(agent =>
            agent.Configure(o => o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20))));
        return silo;
    }

    /// <summary>
    /// Localhost clustering from <c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c> and, for a second process
    /// joining an existing one, <c>Orleans:PrimarySiloPort</c>; or the DynamoDB membership table
    /// (<c>Clustering:Provider=dynamodb</c>). Failure detection (Orleans' <see cref="ClusterMembershipOptions"/>:
    /// <c>ProbeTimeout</c>, <c>NumMissedProbesLimit</c>, <c>NumVotesForDeathDeclaration</c>, …) comes from
    /// <c>Clustering:Membership</c>; docs/reliability.md has the values we measured.
    /// </summary>
    public static ISiloBuilder UseAncClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddOptions<ClusterMembershipOptions>().Bind(configuration.GetSection("Clustering:Membership"));
        var section = configuration.GetSection("Orleans");
        // Orleans:GrainDirectory = distributed: Orleans' experimental strongly consistent directory. With the default
        // one, grains whose directory entry lived on a dead silo can be re-activated elsewhere while still active.
        if (string.Equals(section["GrainDirectory"], "distributed", StringComparison.OrdinalIgnoreCase))
        {
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        }
        var siloPort = section.GetValue("SiloPort", 11111);
        var gatewayPort = section.GetValue("GatewayPort", 30000);
        // Clustering:Provider = localhost (default) | dynamodb
        if (string.Equals(configuration["Clustering:Provider"], "dynamodb", StringComparison.OrdinalIgnoreCase))
        {
            var clusterId = section.GetValue("ClusterId", "anc-local")!;
            var options = configuration.GetSection(DynamoDbOptions.Section).Get<DynamoDbOptions>() ?? new DynamoDbOptions();
            var advertised = IPAddress.Parse(section.GetValue("AdvertisedIPAddress", "127.0.0.1")!);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = section.GetValue("ServiceId", "anc-orleans")!;
            });
            silo.ConfigureEndpoints(advertised, siloPort, gatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(advertised));
            silo.Services.AddSingleton<IMembershipTable>(services => new DynamoDbMembershipTable(clusterId, options,
                DynamoDbClientFactory.Create(options), services.GetRequiredService<Orleans.Serialization.Serializer>()));
            return silo;
        }
        var primary = section.GetValue<int?>("PrimarySiloPort");
        silo.UseLocalhostClustering(siloPort, gatewayPort,
            primary is { } port ? new IPEndPoint(IPAddress.Loopback, port) : null,
            section.GetValue("ServiceId", "anc-orleans")!, section.GetValue("ClusterId", "anc-local")!);
        return silo;
    }
}
