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
}
