using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="TelemetryOptions"/> at start-up; every message names the key to fix.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    private const string Prefix = TelemetryOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        if (!(options.SamplingRatio is >= 0 and <= 1))
            errors.Add($"{Prefix}SamplingRatio must be between 0 and 1 (0.01 keeps 1 % of traces), not {options.SamplingRatio}.");
        if (!string.IsNullOrWhiteSpace(options.Otlp.Endpoint)
            && (!Uri.TryCreate(options.Otlp.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            errors.Add($"{Prefix}Otlp:Endpoint must be an http(s) URL such as http://localhost:4317, not '{options.Otlp.Endpoint}'.");
        if (options.Otlp.Protocol is not ("grpc" or "http/protobuf"))
            errors.Add($"{Prefix}Otlp:Protocol must be grpc or http/protobuf, not '{options.Otlp.Protocol}'.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
