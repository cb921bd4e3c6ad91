namespace AncOrleans.Hosting;

/// <summary>
/// Section <c>Analytics</c>: where session summaries and the audit log go (docs/analytics.md). <c>Store</c> is
/// <c>memory</c>, <c>file</c> (JSON lines in <c>Directory</c>) or <c>dynamodb</c> (table <c>{prefix}analytics</c>; the
/// <c>DynamoDB</c> section says where); unset, it follows <c>Persistence:Provider</c> (dynamodb → dynamodb, else memory).
/// </summary>
public sealed class AnalyticsOptions
{
    public const string Section = "Analytics";
    public const string Memory = "memory", File = "file", DynamoDb = "dynamodb";

    public static readonly IReadOnlyList<string> Stores = [Memory, File, DynamoDb];

    public string? Store { get; set; }

    /// <summary>For <c>file</c>: the directory of <c>summaries.jsonl</c> and <c>audit.jsonl</c>.</summary>
    public string Directory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "anc-orleans", "analytics");

    /// <summary>A running session's summary is rewritten this often (and once more when it ends).</summary>
    public double SummaryIntervalSeconds { get; set; } = 60;

    /// <summary>The store in force, with the default applied.</summary>
    public string EffectiveStore(PersistenceOptions persistence) =>
        string.IsNullOrWhiteSpace(Store) ? persistence.UsesDynamoDb ? DynamoDb : Memory : Store.Trim().ToLowerInvariant();
}
