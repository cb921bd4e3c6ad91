using AncOrleans.Aws.DynamoDb;

namespace AncOrleans.Tests;

/// <summary>DynamoDB Local for tests: .ci/run starts it on 127.0.0.1:18000 (ANC_DYNAMODB_URL); a fresh table prefix per fixture.</summary>
internal static class DynamoDbLocal
{
    public static DynamoDbOptions Options() => new()
    {
        ServiceUrl = Environment.GetEnvironmentVariable("ANC_DYNAMODB_URL") ?? "http://127.0.0.1:18000",
        TablePrefix = $"test-{Guid.NewGuid():N}-"[..20],
    };

    /// <summary>
    /// As <see cref="Options"/>, in a database of its own: DynamoDB Local keeps one database per access key and
    /// signing region, and a local client signs with <see cref="DynamoDbOptions.Region"/>, so a fresh region name
    /// starts from an empty one rather than the shared database every other test has filled by then.
    /// </summary>
    public static DynamoDbOptions Isolated()
    {
        var options = Options();
        options.Region = $"isolated-{Guid.NewGuid():N}"[..17];
        return options;
    }
}
