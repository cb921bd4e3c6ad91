using System.Globalization;
using System.Net;

namespace AncOrleans.Hosting;

/// <summary>
/// Section <c>Orleans</c>: this silo's ports, the cluster it belongs to and its grain directory. The worker silo's
/// defaults (<see cref="WorkerDefaults"/>) are derived from the gateway's, so the two always find each other.
/// </summary>
public sealed class OrleansOptions
{
    public const string Section = "Orleans";
    public const int DefaultSiloPort = 11111;
    public const int DefaultGatewayPort = 30000;
    public const string DefaultGrainDirectory = "default";
    public const string DistributedGrainDirectory = "distributed";

    /// <summary>Below ECS's default container stop timeout (30 s), with room for the process to exit.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The values <see cref="GrainDirectory"/> may take.</summary>
    public static readonly IReadOnlyList<string> GrainDirectories = [DefaultGrainDirectory, DistributedGrainDirectory];

    /// <summary>
    /// Defaults for a worker silo started beside a local gateway: the next silo and gateway ports, joining the
    /// gateway's silo at its default port.
    /// </summary>
    public static Dictionary<string, string?> WorkerDefaults => new()
    {
        [$"{Section}:{nameof(SiloPort)}"] = (DefaultSiloPort + 1).ToString(CultureInfo.InvariantCulture),
        [$"{Section}:{nameof(GatewayPort)}"] = (DefaultGatewayPort + 1).ToString(CultureInfo.InvariantCulture),
        [$"{Section}:{nameof(PrimarySiloPort)}"] = DefaultSiloPort.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = DefaultSiloPort;

    /// <summary>Port Orleans clients (and other gateways' clients) connect to.</summary>
    public int GatewayPort { get; set; } = DefaultGatewayPort;

    /// <summary>Localhost clustering: the silo port of the process to join; unset, this silo is the primary.</summary>
    public int? PrimarySiloPort { get; set; }

    public string ClusterId { get; set; } = "anc-local";

    public string ServiceId { get; set; } = "anc-orleans";

    /// <summary>
    /// DynamoDB clustering: the address written to the membership table. Unset: the ECS task metadata endpoint's
    /// address when <c>ECS_CONTAINER_METADATA_URI_V4</c> is set (<see cref="AdvertisedAddress"/>), else 127.0.0.1. A
    /// non-loopback address also makes the silo listen on every interface (0.0.0.0).
    /// </summary>
    public string? AdvertisedIPAddress { get; set; }

    /// <summary>
    /// How long a stopping host (SIGTERM) may take: the silo leaves membership (ShuttingDown, then Dead) and hands its
    /// grains over within it. Keep it below the container's stop timeout (ECS: <c>stopTimeout</c>, 30 s on Fargate by
    /// default), after which the process is killed and the cluster must detect the loss instead.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = DefaultShutdownTimeout;

    /// <summary>
    /// <c>default</c>, or <c>distributed</c>: Orleans' experimental strongly consistent directory. With the default
    /// one, grains whose directory entry lived on a dead silo can be re-activated elsewhere while still active.
    /// </summary>
    public string GrainDirectory { get; set; } = DefaultGrainDirectory;

    public bool UsesDistributedGrainDirectory => string.Equals(GrainDirectory, DistributedGrainDirectory, StringComparison.OrdinalIgnoreCase);

    /// <summary>Localhost clustering: the primary silo, on loopback (this silo itself without <see cref="PrimarySiloPort"/>).</summary>
    public IPEndPoint PrimarySiloEndpoint() => new(IPAddress.Loopback, PrimarySiloPort ?? SiloPort);
}
