using AncOrleans.Grains.Classification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Aws.SageMaker;

/// <summary>Chooses the noise-classifier backend from <c>Classifier:Backend</c>.</summary>
public static class ClassifierBackendServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> the SageMaker backend uses.</summary>
    public const string HttpClientName = "AncOrleans.SageMaker";

    /// <summary>
    /// Registers <see cref="INoiseClassifierBackend"/>. It resolves the keyed service <c>"embedded"</c>
    /// (<c>AddKeyedSingleton&lt;INoiseClassifierBackend, …&gt;("embedded")</c>), which the caller registers.
    /// <list type="bullet">
    /// <item><c>Classifier:Backend</c> = <c>embedded</c> (default): the keyed <c>"embedded"</c> backend itself.</item>
    /// <item><c>sagemaker</c>: <see cref="FallbackClassifierBackend"/>(<see cref="SageMakerClassifierBackend"/>, keyed
    /// <c>"embedded"</c>); the SageMaker backend is also registered as keyed <c>"sagemaker"</c>. Its options are
    /// validated at start-up. Credentials: a <see cref="SageMakerCredentials"/> registered beforehand, else the
    /// standard AWS chain.</item>
    /// </list>
    /// Any other value throws, naming the key.
    /// </summary>
    public static IServiceCollection AddAncClassifierBackend(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(SageMakerClassifierOptions.Section);
        var backend = section[nameof(SageMakerClassifierOptions.Backend)];
        if (string.IsNullOrWhiteSpace(backend) || string.Equals(backend, SageMakerClassifierOptions.EmbeddedBackend, StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton(provider => provider.GetRequiredKeyedService<INoiseClassifierBackend>(SageMakerClassifierOptions.EmbeddedBackend));
            return services;
        }
        if (!string.Equals(backend, SageMakerClassifierOptions.SageMakerBackend, StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                $"{SageMakerClassifierOptions.Section}:Backend is '{backend}'; expected '{SageMakerClassifierOptions.EmbeddedBackend}' or '{SageMakerClassifierOptions.SageMakerBackend}'.");

        services.AddOptions<SageMakerClassifierOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SageMakerClassifierOptions>, SageMakerClassifierOptionsValidator>());
        services.TryAddSingleton(SageMakerCredentials.DefaultChain);
        services.AddMetrics();
        services.TryAddSingleton<ClassifierFallbackMetrics>();
        // The backend is a singleton holding one HttpClient: pooled connections are recycled every 2 min so DNS
        // changes are seen, and redirects are not followed (a redirect would carry a signature for another URL).
        services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), AllowAutoRedirect = false })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers();
        services.AddSingleton(provider => new SageMakerClassifierBackend(
            provider.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            provider.GetRequiredService<IOptions<SageMakerClassifierOptions>>(),
            provider.GetRequiredService<SageMakerCredentials>(),
            provider.GetRequiredService<ILogger<SageMakerClassifierBackend>>()));
        services.AddKeyedSingleton<INoiseClassifierBackend>(SageMakerClassifierOptions.SageMakerBackend,
            (provider, _) => provider.GetRequiredService<SageMakerClassifierBackend>());
        services.AddSingleton<INoiseClassifierBackend>(provider => new FallbackClassifierBackend(
            provider.GetRequiredService<SageMakerClassifierBackend>(),
            provider.GetRequiredKeyedService<INoiseClassifierBackend>(SageMakerClassifierOptions.EmbeddedBackend),
            provider.GetRequiredService<ClassifierFallbackMetrics>(),
            provider.GetRequiredService<ILogger<FallbackClassifierBackend>>()));
        return services;
    }
}
