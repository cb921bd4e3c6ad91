using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="ClusteringOptions"/> at start-up: an unknown provider or session directory is named with the allowed ones.</summary>
public sealed class ClusteringOptionsValidator : IValidateOptions<ClusteringOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusteringOptions options)
    {
        if (!ClusteringOptions.Providers.Contains(options.Provider, StringComparer.OrdinalIgnoreCase))
            return ValidateOptionsResult.Fail(
                $"{ClusteringOptions.Section}:Provider must be one of {string.Join(", ", ClusteringOptions.Providers)}, not '{options.Provider}'.");
        if (!ClusteringOptions.SessionDirectories.Contains(options.SessionDirectory, StringComparer.OrdinalIgnoreCase))
            return ValidateOptionsResult.Fail(
                $"{ClusteringOptions.Section}:SessionDirectory must be one of {string.Join(", ", ClusteringOptions.SessionDirectories)}, not '{options.SessionDirectory}'.");
        return ValidateOptionsResult.Success;
    }
}
