using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="PersistenceOptions"/> at start-up: an unknown provider is named with the allowed ones.</summary>
public sealed class PersistenceOptionsValidator : IValidateOptions<PersistenceOptions>
{
    public ValidateOptionsResult Validate(string? name, PersistenceOptions options) =>
        PersistenceOptions.Providers.Contains(options.Provider, StringComparer.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{PersistenceOptions.Section}:Provider must be one of {string.Join(", ", PersistenceOptions.Providers)}, not '{options.Provider}'.");
}
