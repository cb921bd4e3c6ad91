using Amazon.DynamoDBv2;
using AncOrleans.Aws.DynamoDb;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>The <c>DynamoDB</c> section and one SDK client, shared by the membership table, the gateway list and grain storage.</summary>
internal static class AncDynamoDbExtensions
{
    /// <summary>Validated <see cref="DynamoDbOptions"/> and the <see cref="IAmazonDynamoDB"/> built from them; idempotent.</summary>
    public static IServiceCollection AddAncDynamoDb(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(service => service.ServiceType == typeof(IAmazonDynamoDB))) return services;
        services.AddValidatedOptions<DynamoDbOptions, DynamoDbOptionsValidator>(configuration.GetSection(DynamoDbOptions.Section));
        services.TryAddSingleton(provider => DynamoDbClientFactory.Create(provider.GetRequiredService<IOptions<DynamoDbOptions>>().Value));
        return services;
    }
}
