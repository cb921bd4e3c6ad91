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
    /// the same <c>Orleans:ClusterId</c>, <c>Orleans:ServiceId</c> and <c>DynamoDB</c> section as the silos.
    /// </summary>
    public static IClientBuilder UseAncDynamoDbClustering(this IClientBuilder client, IConfiguration configuration)
    {
        var section = configuration.GetSection("Orleans");
        var clusterId = section.GetValue("ClusterId", "anc-local")!;
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = section.GetValue("ServiceId", "anc-orleans")!;
        });
        client.Services.AddOptions<DynamoDbOptions>().Bind(configuration.GetSection(DynamoDbOptions.Section));
        client.Services.AddSingleton<IGatewayListProvider>(services =>
        {
            var options = services.GetRequiredService<IOptions<DynamoDbOptions>>().Value;
            var table = new DynamoDbMembershipTable(clusterId, options, DynamoDbClientFactory.Create(options), services.GetRequiredService<Serializer>());
            return new DynamoDbGatewayListProvider(table, services.GetRequiredService<IOptions<GatewayOptions>>(),
                services.GetRequiredService<ILogger<DynamoDbGatewayListProvider>>());
        });
        return client;
    }
}
