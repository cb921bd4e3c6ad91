using System.Net;
using Microsoft.Extensions.Options;

namespace AncOrleans.Classifier.Serving;

/// <summary>Checks <see cref="ServingOptions"/> at start-up; every message names the key to fix.</summary>
public sealed class ServingOptionsValidator : IValidateOptions<ServingOptions>
{
    private const string Prefix = ServingOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, ServingOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < 1 or > 65535)
            errors.Add($"{Prefix}Port must be between 1 and 65535, not {options.Port}.");
        if (options.SageMakerBindToPort is { } bind && !(int.TryParse(bind, out var port) && port is >= 1 and <= 65535))
            errors.Add($"{ServingOptions.SageMakerBindToPortVariable} must be a port between 1 and 65535, not '{bind}'.");
        if (!IPAddress.TryParse(options.ListenAddress, out _))
            errors.Add($"{Prefix}ListenAddress '{options.ListenAddress}' is not an IP address (0.0.0.0 for every interface).");
        if (options.MaxRequestBytes is < 1024 or > 6 * 1024 * 1024)
            errors.Add($"{Prefix}MaxRequestBytes must be between 1024 and 6291456 (SageMaker's own limit is 6 MB), not {options.MaxRequestBytes}.");
        if (!string.IsNullOrWhiteSpace(options.ModelPath))
        {
            if (!File.Exists(options.ModelPath))
                errors.Add($"{Prefix}ModelPath '{options.ModelPath}' does not exist.");
        }
        else if (Directory.Exists(options.ModelDirectory)
                 && !File.Exists(Path.Combine(options.ModelDirectory, ServingOptions.ModelFileName))
                 && Directory.EnumerateFiles(options.ModelDirectory, "*.zip").FirstOrDefault() is { } other)
        {
            // A model artifact was given but not under the name we load: serving the image's model instead would hide it.
            errors.Add($"{Prefix}ModelDirectory '{options.ModelDirectory}' holds {Path.GetFileName(other)} but no {ServingOptions.ModelFileName}; "
                       + $"name the model {ServingOptions.ModelFileName} in model.tar.gz, or set {Prefix}ModelPath.");
        }
        else if (!File.Exists(options.ResolveModel().Path))
        {
            errors.Add($"{Prefix}ModelPath is empty, {options.ModelDirectory} holds no {ServingOptions.ModelFileName}, "
                       + $"and the shipped model is missing at {options.ResolveModel().Path}.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
