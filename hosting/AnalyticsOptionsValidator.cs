using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="AnalyticsOptions"/> at start-up, naming the key at fault.</summary>
public sealed class AnalyticsOptionsValidator : IValidateOptions<AnalyticsOptions>
{
    private const string Prefix = AnalyticsOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, AnalyticsOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.Store) && !AnalyticsOptions.Stores.Contains(options.Store.Trim(), StringComparer.OrdinalIgnoreCase))
            errors.Add($"{Prefix}Store must be one of {string.Join(", ", AnalyticsOptions.Stores)}, not '{options.Store}'.");
        if (string.Equals(options.Store?.Trim(), AnalyticsOptions.File, StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(options.Directory))
            errors.Add($"{Prefix}Directory must be set when {Prefix}Store is file.");
        if (!(options.SummaryIntervalSeconds is >= 1 and <= 3600))
            errors.Add($"{Prefix}SummaryIntervalSeconds must be between 1 and 3600, not {options.SummaryIntervalSeconds}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
