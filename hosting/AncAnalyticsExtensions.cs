using Amazon.DynamoDBv2;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Grains.Analytics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>The analytics store chosen by <see cref="AnalyticsOptions"/> (memory, file or DynamoDB).</summary>
public static class AncAnalyticsExtensions
{
    public static IServiceCollection AddAncAnalyticsStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<AnalyticsOptions, AnalyticsOptionsValidator>(configuration.GetSection(AnalyticsOptions.Section));
        var persistence = configuration.GetSection(PersistenceOptions.Section).Get<PersistenceOptions>() ?? new PersistenceOptions();
        var store = (configuration.GetSection(AnalyticsOptions.Section).Get<AnalyticsOptions>() ?? new AnalyticsOptions()).EffectiveStore(persistence);
        if (store == AnalyticsOptions.DynamoDb)
        {
            services.AddAncDynamoDb(configuration);
            services.AddSingleton<IAnalyticsStore>(provider => new DynamoDbAnalyticsStore(
                provider.GetRequiredService<IOptions<DynamoDbOptions>>().Value, provider.GetRequiredService<IAmazonDynamoDB>()));
        }
        else if (store == AnalyticsOptions.File)
            services.AddSingleton<IAnalyticsStore>(provider => new FileAnalyticsStore(provider.GetRequiredService<IOptions<AnalyticsOptions>>().Value.Directory));
        else
            services.AddSingleton<IAnalyticsStore, MemoryAnalyticsStore>();
        return services;
    }
}
