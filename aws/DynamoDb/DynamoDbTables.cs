using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>Creates a table (pay-per-request) if it does not exist, and waits for it to be active.</summary>
public static class DynamoDbTables
{
    public static async Task EnsureAsync(IAmazonDynamoDB client, string table, IReadOnlyList<(string Name, KeyType Type)> keys,
        string? timeToLiveAttribute, CancellationToken cancel)
    {
        try
        {
            await client.DescribeTableAsync(table, cancel);
            return;
        }
        catch (ResourceNotFoundException)
        {
        }
        try
        {
            await client.CreateTableAsync(new CreateTableRequest
            {
                TableName = table,
                BillingMode = BillingMode.PAY_PER_REQUEST,
                KeySchema = keys.Select(k => new KeySchemaElement(k.Name, k.Type)).ToList(),
                AttributeDefinitions = keys.Select(k => new AttributeDefinition(k.Name, ScalarAttributeType.S)).ToList(),
            }, cancel);
        }
        catch (ResourceInUseException)
        {
            // Another silo created it first.
        }
        for (var i = 0; i < 120; i++)
        {
            var description = await client.DescribeTableAsync(table, cancel);
            if (description.Table.TableStatus == TableStatus.ACTIVE) break;
            await Task.Delay(500, cancel);
        }
        if (timeToLiveAttribute is not null)
            await client.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest
            {
                TableName = table,
                TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = timeToLiveAttribute, Enabled = true },
            }, cancel);
    }
}
