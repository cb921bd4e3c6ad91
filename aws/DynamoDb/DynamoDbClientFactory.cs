using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>Builds the SDK client from <see cref="DynamoDbOptions"/>.</summary>
public static class DynamoDbClientFactory
{
    public static IAmazonDynamoDB Create(DynamoDbOptions options)
    {
        var config = Config(options);
        // A local server accepts any credentials; real AWS never sees these.
        return config.ServiceURL is not null
            ? new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), config)
            : new AmazonDynamoDBClient(config);
    }

    /// <summary>
    /// The SDK's configuration: the endpoint (a local server's URL, or the region's), and each attempt's timeout, which
    /// <see cref="WholeAnswerHttpClientFactory"/> extends to the answer's body.
    /// </summary>
    public static AmazonDynamoDBConfig Config(DynamoDbOptions options)
    {
        var config = string.IsNullOrEmpty(options.ServiceUrl)
            ? new AmazonDynamoDBConfig { RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region) }
            : new AmazonDynamoDBConfig { ServiceURL = options.ServiceUrl, AuthenticationRegion = options.Region };
        config.Timeout = options.RequestTimeout;
        config.HttpClientFactory = new WholeAnswerHttpClientFactory("DynamoDB", options.RequestTimeout);
        return config;
    }
}
