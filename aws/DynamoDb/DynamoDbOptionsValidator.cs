using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// Checks <see cref="DynamoDbOptions"/> at start-up, when a provider uses DynamoDB; every message names the
/// configuration key to fix.
/// </summary>
public sealed partial class DynamoDbOptionsValidator : IValidateOptions<DynamoDbOptions>
{
    private const string Prefix = DynamoDbOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, DynamoDbOptions options)
    {
        var errors = new List<string>();
        var local = !string.IsNullOrWhiteSpace(options.ServiceUrl);
        if (local && !(Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
            errors.Add($"{Prefix}ServiceUrl '{options.ServiceUrl}' must be an absolute http(s) URL (e.g. http://127.0.0.1:8000).");
        // Against AWS the region chooses the endpoint; a local server only uses it to sign.
        if (string.IsNullOrWhiteSpace(options.Region))
            errors.Add($"{Prefix}Region must not be empty (e.g. eu-west-1).");
        else if (!local && !RegionPattern().IsMatch(options.Region))
            errors.Add($"{Prefix}Region '{options.Region}' is not an AWS region name (e.g. eu-west-1).");
        // DynamoDB's own rule for table names, applied to the longest name the prefix makes.
        if (new[] { options.GrainStateTable, options.MembershipTable, options.AnalyticsTable }.FirstOrDefault(table => !TableNamePattern().IsMatch(table)) is { } bad)
            errors.Add($"{Prefix}TablePrefix '{options.TablePrefix}' makes the table name '{bad}'; DynamoDB allows letters, digits, '_', '-' and '.', 3 to 255 characters.");
        if (options.StateTimeToLive is { } ttl && ttl < TimeSpan.FromSeconds(1))
            errors.Add($"{Prefix}StateTimeToLive must be at least 00:00:01 when set (DynamoDB TTL counts seconds), not {ttl}.");
        if (options.RequestTimeout < TimeSpan.FromSeconds(1) || options.RequestTimeout > TimeSpan.FromMinutes(1))
            errors.Add($"{Prefix}RequestTimeout must be between 00:00:01 and 00:01:00, not {options.RequestTimeout}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableNamePattern();
}
