using System.Net;
using Amazon.DynamoDBv2;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Aws.SageMaker;
using AncOrleans.Grains;
using AncOrleans.Grains.Classification;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace AncOrleans.Hosting;

/// <summary>
/// The silo configuration shared by the worker silo, the gateway silo and the test cluster. Every section it reads is
/// validated when the host starts (an <c>IValidateOptions</c> per options type), naming the key at fault.
/// </summary>
public static class AncSiloExtensions
{
    /// <summary>Grain storage and session options (providers chosen by configuration).</summary>
    public static ISiloBuilder AddAncGrains(this ISiloBuilder silo, IConfiguration configuration)
    {
        // A caller's span and the grain call's are one trace, when tracing is configured (AddAncTracing). Without it
        // the propagation filters are not registered at all: a grain call with no outgoing filter takes Orleans'
        // direct path, and with one it allocated the filter chain's invoker and two state machines per call (≈ 23 % of
        // what an antinoise frame allocated). The Orleans Dashboard's silo side on every silo: its grain profiler runs
        // only while someone looks at /dashboard (GrainProfilerOptions.TraceAlways = false).
        if (TelemetryOptions.From(configuration).Enabled) silo.AddActivityPropagation();
        silo.AddDashboard();
        silo.Services.AddValidatedOptions<SessionGrainOptions, SessionGrainOptionsValidator>(configuration.GetSection(SessionGrainOptions.Section));
        // Start-up warms the frame path before the silo joins (Session:WarmupSeconds); a graceful shutdown first moves
        // the silo's sessions to other silos, state in memory (Session:MigrateOnShutdown).
        silo.Services.AddAncSessionLifecycle();
        // Warns when the process froze or its thread pool was starved for ≥ 1 s (docs/reliability.md).
        silo.Services.AddHostedService<StallWatch>();
        // Classifier:Backend = embedded (default) | sagemaker (falls back to embedded on failure)
        silo.Services.AddValidatedOptions<ClassifierOptions, ClassifierOptionsValidator>(configuration.GetSection(ClassifierOptions.Section));
        silo.Services.AddKeyedSingleton<INoiseClassifierBackend, EmbeddedClassifierBackend>(SageMakerClassifierOptions.EmbeddedBackend);
        silo.Services.AddAncClassifierBackend(configuration);
        // Orleans' default placement (resource-optimised) prefers the calling silo within LocalSiloPreferenceMargin
        // (5 %): sessions a gateway starts stay on its silo. Placement:LocalSiloPreferenceMargin=0 spreads them.
        silo.Services.AddValidatedOptions<ResourceOptimizedPlacementOptions, PlacementOptionsValidator>(configuration.GetSection(PlacementOptionsValidator.Section));
        // Persistence:Provider = memory (default) | dynamodb; any other value stops the host at start.
        silo.Services.AddValidatedOptions<PersistenceOptions, PersistenceOptionsValidator>(configuration.GetSection(PersistenceOptions.Section));
        var persistence = configuration.GetSection(PersistenceOptions.Section).Get<PersistenceOptions>() ?? new PersistenceOptions();
        if (persistence.UsesDynamoDb)
        {
            silo.Services.AddAncDynamoDb(configuration);
            silo.Services.AddGrainStorage(StorageNames.Sessions, (services, name) => new DynamoDbGrainStorage(name,
                services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, services.GetRequiredService<IAmazonDynamoDB>(),
                services.GetRequiredService<Serializer>(), services.GetRequiredService<ILoggerFactory>().CreateLogger<DynamoDbGrainStorage>()));
        }
        else
        {
            // Orleans' binary serializer, as the DynamoDB provider uses: the default (Newtonsoft JSON) wrote every
            // checkpoint's filter (~27 KB of floats) as text, the larger part of a session's allocations per second.
            silo.AddMemoryGrainStorage(StorageNames.Sessions, (OptionsBuilder<MemoryGrainStorageOptions> options) => options.Configure<Serializer>((memory, serializer) =>
                memory.GrainStorageSerializer = new BinaryGrainStorageSerializer(serializer)));
        }
        // Recording:Store = file (default) | s3: opt-in session recordings (docs/recordings.md).
        silo.Services.AddAncRecordingStore(configuration);
        // No Orleans stream: a session sends its features to its emergency and classifier grains in batches of
        // Session:FeatureBatchMs by direct calls (grains/Sessions/FeaturePublisher.cs). The memory stream it replaced
        // kept every per-frame message in its cache for DataMinTimeInCache (5 min): ~1 KB per frame of RSS.
        return silo;
    }

    /// <summary>
    /// Localhost clustering from <c>Orleans:SiloPort</c>, <c>Orleans:GatewayPort</c> and, for a second process
    /// joining an existing one, <c>Orleans:PrimarySiloPort</c>; or the DynamoDB membership table
    /// (<c>Clustering:Provider=dynamodb</c>). Failure detection (Orleans' <see cref="ClusterMembershipOptions"/>:
    /// <c>ProbeTimeout</c>, <c>NumMissedProbesLimit</c>, <c>NumVotesForDeathDeclaration</c>, …) comes from
    /// <c>Clustering:Membership</c>; docs/reliability.md has the values we measured. Orleans' endpoint and cluster
    /// options are derived from the validated <see cref="OrleansOptions"/>, so a bad port or id is reported with its
    /// key before Orleans checks them.
    /// </summary>
    public static ISiloBuilder UseAncClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.UseAncKubernetesHosting(configuration); // Kubernetes:Enabled (AncKubernetesExtensions.cs); first, so our options apply after it
        silo.Services.AddValidatedOptions<ClusterMembershipOptions, MembershipOptionsValidator>(configuration.GetSection(MembershipOptionsValidator.Section));
        silo.Services.AddValidatedOptions<OrleansOptions, OrleansOptionsValidator>(configuration.GetSection(OrleansOptions.Section));
        silo.Services.AddValidatedOptions<ClusteringOptions, ClusteringOptionsValidator>(configuration.GetSection(ClusteringOptions.Section));
        var orleans = configuration.GetSection(OrleansOptions.Section).Get<OrleansOptions>() ?? new OrleansOptions();
        var clustering = configuration.GetSection(ClusteringOptions.Section).Get<ClusteringOptions>() ?? new ClusteringOptions();
        if (orleans.UsesDistributedGrainDirectory)
        {
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        }
        silo.Services.AddOptions<ClusterOptions>().Configure<IOptions<OrleansOptions>>((cluster, options) =>
        {
            cluster.ClusterId = options.Value.ClusterId;
            cluster.ServiceId = options.Value.ServiceId;
        });
        // SIGTERM: the host stops Orleans gracefully (membership ShuttingDown → Dead, grains deactivated) within this.
        // Read unvalidated here: the host reads HostOptions before start, and a bad Orleans value must fail as the
        // start-up validation's message (ValidateOnStart), not from inside the host's construction.
        var shutdown = configuration.GetSection(OrleansOptions.Section).Get<OrleansOptions>()?.ShutdownTimeout ?? new OrleansOptions().ShutdownTimeout;
        silo.Services.Configure<HostOptions>(host => host.ShutdownTimeout = shutdown);
        // Clustering:Provider = localhost (default) | dynamodb; any other value stops the host at start.
        if (clustering.UsesDynamoDb)
        {
            silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<OrleansOptions>>((endpoints, options) =>
            {
                // Orleans:AdvertisedIPAddress, else the ECS task metadata endpoint, else loopback.
                var advertised = AdvertisedAddress.Resolve(options.Value, configuration);
                endpoints.AdvertisedIPAddress = advertised;
                endpoints.SiloPort = options.Value.SiloPort;
                endpoints.GatewayPort = options.Value.GatewayPort;
                if (!IPAddress.IsLoopback(advertised))
                {
                    endpoints.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, options.Value.SiloPort);
                    endpoints.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, options.Value.GatewayPort);
                }
            });
            silo.Services.AddAncDynamoDb(configuration);
            if (clustering.SessionsInDynamoDbDirectory)
            {
                // Sessions' directory entries on DynamoDB: a silo's graceful leave then moves only its own sessions
                // (migrated, state in memory), not every session whose entry it held (docs/reliability.md).
                silo.Services.AddGrainDirectory(StorageNames.SessionDirectory, (services, _) => new DynamoDbGrainDirectory(
                    services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, services.GetRequiredService<IAmazonDynamoDB>()));
                silo.Services.AddAncSessionDirectory(StorageNames.SessionDirectory);
            }
            silo.Services.AddSingleton<IMembershipTable>(services => new DynamoDbMembershipTable(
                services.GetRequiredService<IOptions<OrleansOptions>>().Value.ClusterId, services.GetRequiredService<IOptions<DynamoDbOptions>>().Value,
                services.GetRequiredService<IAmazonDynamoDB>(), services.GetRequiredService<Serializer>()));
            return silo;
        }
        // Orleans' UseLocalhostClustering, with every value taken from the validated options.
        silo.Services.AddOptions<EndpointOptions>().Configure<IOptions<OrleansOptions>>((endpoints, options) =>
        {
            endpoints.AdvertisedIPAddress = IPAddress.Loopback;
            endpoints.SiloPort = options.Value.SiloPort;
            endpoints.GatewayPort = options.Value.GatewayPort;
        });
        silo.UseDevelopmentClustering(membership => membership.Configure<IOptions<OrleansOptions>>((development, options) =>
            development.PrimarySiloEndpoint = options.Value.PrimarySiloEndpoint()));
        return silo;
    }
}
