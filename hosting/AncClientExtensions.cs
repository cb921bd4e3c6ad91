using Amazon.DynamoDBv2;
using AncOrleans.Aws.DynamoDb;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Serialization;

namespace AncOrleans.Hosting;

/// <summary>Configuration for external Orleans clients of an AncOrleans cluster (tools, other services).</summary>
public static class AncClientExtensions
{
    /// <summary>
    /// Finds the cluster's gateways in the DynamoDB membership table the silos use (<c>Clustering:Provider=dynamodb</c>):
    /// the same <c>Orleans:ClusterId</c>, <c>Orleans:ServiceId</c> and <c>DynamoDB</c> section as the silos, validated
    /// when the client's host starts.
    /// </summary>
    public static IClientBuilder UseAncDynamoDbClustering(this IClientBuilder client, IConfiguration configuration)
    {
        client.Services.AddValidatedOptions<OrleansOptions, OrleansOptionsValidator>(configuration.GetSection(OrleansOptions.Section));
        if (TelemetryOptions.From(configuration).Enabled) client.AddActivityPropagation(); // its calls join its callers' traces
        client.Services.AddOptions<ClusterOptions>().Configure<IOptions<OrleansOptions>>((cluster, options) =>
        {
            cluster.ClusterId = options.Value.ClusterId;
            cluster.ServiceId = options.Value.ServiceId;
        });
        client.Services.AddAncDynamoDb(configuration);
        client.Services.AddSingleton<IGatewayListProvider>(services =>
        {
            var table = new DynamoDbMembershipTable(services.GetRequiredService<IOptions<OrleansOptions>>().Value.ClusterId,
                services.GetRequiredService<IOptions<DynamoDbOptions>>().Value, services.GetRequiredService<IAmazonDynamoDB>(),
                services.GetRequiredService<Serializer>());
            return new DynamoDbGatewayListProvider(table, services.GetRequiredService<IOptions<GatewayOptions>>(),
                services.GetRequiredService<ILogger<DynamoDbGatewayListProvider>>());
        });
        return client;
    }
}
