using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="ClusteringOptions"/> at start-up: an unknown provider is named with the allowed ones.</summary>
public sealed class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusteringOptions options) =>
        ClusteringOptions.Providers.Contains(options.Provider, StringComparer.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{ClusteringOptions.Section}:Provider must be one of {string.Join(", ", ClusteringOptions.Providers)}, not '{options.Provider}'.");
}
