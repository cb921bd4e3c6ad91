namespace AncOrleans.Hosting;

/// <summary>
/// Section <c>Persistence</c>: where grain state (session checkpoints, device shadows, stream pub-sub) lives.
/// <c>memory</c> (default) or <c>dynamodb</c> (our provider; the <c>DynamoDB</c> section says where).
/// </summary>
public sealed class PersistenceOptions
{
    public const string Section = "Persistence";
    public const string Memory = "memory";
    public const string DynamoDb = "dynamodb";

    /// <summary>The values <see cref="Provider"/> may take.</summary>
    public static readonly IReadOnlyList<string> Providers = [Memory, DynamoDb];

    public string Provider { get; set; } = Memory;

    public bool UsesDynamoDb => string.Equals(Provider, DynamoDb, StringComparison.OrdinalIgnoreCase);
}
