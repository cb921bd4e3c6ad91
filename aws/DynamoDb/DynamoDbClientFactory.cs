using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>Builds the SDK client from <see cref="DynamoDbOptions"/>.</summary>
public static class DynamoDbClientFactory
{
    public static IAmazonDynamoDB Create(DynamoDbOptions options)
    {
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            // A local server accepts any credentials; real AWS never sees these.
            return new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"),
                new AmazonDynamoDBConfig { ServiceURL = options.ServiceUrl, AuthenticationRegion = options.Region });
        }
        return new AmazonDynamoDBClient(new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) });
    }
}
