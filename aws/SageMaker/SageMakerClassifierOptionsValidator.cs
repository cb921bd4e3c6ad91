using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Checks <see cref="SageMakerClassifierOptions"/> at start-up when <c>Classifier:Backend</c> is <c>sagemaker</c>;
/// every message names the configuration key to fix.
/// </summary>
internal sealed partial class SageMakerClassifierOptionsValidator : IValidateOptions<SageMakerClassifierOptions>
{
    private const string Prefix = SageMakerClassifierOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, SageMakerClassifierOptions options)
    {
        if (!string.Equals(options.Backend, SageMakerClassifierOptions.SageMakerBackend, StringComparison.OrdinalIgnoreCase))
            return ValidateOptionsResult.Skip;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.EndpointName))
            errors.Add($"{Prefix}EndpointName is required when {Prefix}Backend is sagemaker.");
        else if (!EndpointNamePattern().IsMatch(options.EndpointName))
            errors.Add($"{Prefix}EndpointName '{options.EndpointName}' is not a SageMaker endpoint name (letters, digits and hyphens, at most 63).");
        if (string.IsNullOrWhiteSpace(options.Region))
            errors.Add($"{Prefix}Region is required when {Prefix}Backend is sagemaker (e.g. eu-west-1).");
        else if (!RegionPattern().IsMatch(options.Region))
            errors.Add($"{Prefix}Region '{options.Region}' is not an AWS region name (e.g. eu-west-1).");
        if (!string.IsNullOrWhiteSpace(options.ServiceUrl)
            && !(Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)))
            errors.Add($"{Prefix}ServiceUrl '{options.ServiceUrl}' must be an absolute http(s) URL.");
        if (options.TimeoutMs <= 0)
            errors.Add($"{Prefix}TimeoutMs must be positive.");
        if (options.MaxRetries is < 0 or > 10)
            errors.Add($"{Prefix}MaxRetries must be between 0 and 10.");
        if (options.BackoffMs < 0 || options.MaxBackoffMs < options.BackoffMs)
            errors.Add($"{Prefix}BackoffMs must be ≥ 0 and {Prefix}MaxBackoffMs ≥ BackoffMs.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    // SageMaker's own constraint on endpoint names.
    [GeneratedRegex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")]
    private static partial Regex EndpointNamePattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex RegionPattern();
}
