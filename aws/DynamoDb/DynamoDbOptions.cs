namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// Section <c>DynamoDB</c>: where the tables live. <c>ServiceUrl</c> points at a local server (DynamoDB Local);
/// without it the client uses <c>Region</c> and the standard AWS credentials chain (environment, profile, ECS task
/// role).
/// </summary>
public sealed class DynamoDbOptions
{
    public const string Section = "DynamoDB";

    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Prefix of every table name, e.g. <c>anc-prod-</c>.</summary>
    public string TablePrefix { get; set; } = "anc-";

    /// <summary>
    /// How long one HTTP attempt of a DynamoDB request may take before the SDK abandons it and retries (the SDK's
    /// default is 100 s). A grain's activation reads its state within Orleans' 30 s <c>ActivationTimeout</c>: an
    /// attempt that hangs must fail in time for the retry. 5 s is three orders of magnitude over DynamoDB's
    /// single-digit-millisecond reads. (It did not cure the failover tests' hung activations: docs/reliability.md.)
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Grain state items expire this long after their last write (DynamoDB TTL); null keeps them.</summary>
    public TimeSpan? StateTimeToLive { get; set; }

    /// <summary>The grain storage's table.</summary>
    public string GrainStateTable => TablePrefix + "grain-state";

    /// <summary>The membership table (silos and, for clients, gateways).</summary>
    public string MembershipTable => TablePrefix + "membership";

    /// <summary>Session summaries and the audit log (<see cref="DynamoDbAnalyticsStore"/>).</summary>
    public string AnalyticsTable => TablePrefix + "analytics";

    /// <summary>Where each session grain is activated (<see cref="DynamoDbGrainDirectory"/>).</summary>
    public string DirectoryTable => TablePrefix + "directory";
}
