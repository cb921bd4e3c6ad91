using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Security;

/// <summary>Checks <see cref="AuthOptions"/> at start-up; every message names the configuration key to fix.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    private const string Prefix = AuthOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        if (!string.Equals(options.Mode, AuthOptions.Development, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(options.Mode, AuthOptions.Production, StringComparison.OrdinalIgnoreCase))
            errors.Add($"{Prefix}Mode must be one of {AuthOptions.Development}, {AuthOptions.Production}, not '{options.Mode}'.");
        if (string.IsNullOrEmpty(options.AdminKey))
            errors.Add($"{Prefix}AdminKey must be set in production (environment Auth__AdminKey, at least {AuthOptions.MinKeyLength} characters): "
                       + $"a production gateway never generates one. For a local gateway set {Prefix}Mode={AuthOptions.Development}.");
        else if (options.AdminKey.Length < AuthOptions.MinKeyLength || options.AdminKey.Any(char.IsWhiteSpace))
            errors.Add($"{Prefix}AdminKey must be at least {AuthOptions.MinKeyLength} characters without spaces, not {options.AdminKey.Length}.");
        if (!string.IsNullOrEmpty(options.ReaderKey))
        {
            if (options.ReaderKey.Length < AuthOptions.MinKeyLength || options.ReaderKey.Any(char.IsWhiteSpace))
                errors.Add($"{Prefix}ReaderKey must be at least {AuthOptions.MinKeyLength} characters without spaces, not {options.ReaderKey.Length}.");
            else if (options.ReaderKey == options.AdminKey)
                errors.Add($"{Prefix}ReaderKey must differ from {Prefix}AdminKey.");
        }
        for (var i = 0; i < options.AllowedOrigins.Length; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
                errors.Add($"{Prefix}AllowedOrigins:{i} '{origin}' must be an origin: scheme://host[:port], no path or trailing slash.");
        }
        if (options.KeyHashIterations is < 1 or > 1_000_000)
            errors.Add($"{Prefix}KeyHashIterations must be between 1 and 1000000, not {options.KeyHashIterations}.");
        if (options.MaxFailuresPerMinute is < 1 or > 1_000_000)
            errors.Add($"{Prefix}MaxFailuresPerMinute must be between 1 and 1000000, not {options.MaxFailuresPerMinute}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
