namespace AncOrleans.Hosting;

/// <summary>
/// Section <c>Clustering</c>: how silos find each other. <c>localhost</c> (default): Orleans' development
/// clustering on loopback, from <c>Orleans:SiloPort</c>/<c>Orleans:PrimarySiloPort</c>; <c>dynamodb</c>: our
/// membership table. Failure detection is in <c>Clustering:Membership</c> (<see cref="MembershipOptionsValidator"/>).
/// </summary>
public sealed class ClusteringOptions
{
    public const string Section = "Clustering";
    public const string Localhost = "localhost";
    public const string DynamoDb = "dynamodb";

    /// <summary>The values <see cref="Provider"/> may take.</summary>
    public static readonly IReadOnlyList<string> Providers = [Localhost, DynamoDb];

    public string Provider { get; set; } = Localhost;

    public bool UsesDynamoDb => string.Equals(Provider, DynamoDb, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// With DynamoDB clustering, where session grains are registered: <c>dynamodb</c> (default: our table, whose entries
    /// outlive a silo's graceful leave) or <c>orleans</c> (Orleans' default directory, spread over the silos, which
    /// deactivates the sessions whose entries a leaving silo held). Ignored with localhost clustering.
    /// </summary>
    public string SessionDirectory { get; set; } = DynamoDb;

    /// <summary>The values <see cref="SessionDirectory"/> may take.</summary>
    public static readonly IReadOnlyList<string> SessionDirectories = [DynamoDb, "orleans"];

    public bool SessionsInDynamoDbDirectory => UsesDynamoDb && string.Equals(SessionDirectory, DynamoDb, StringComparison.OrdinalIgnoreCase);
}
