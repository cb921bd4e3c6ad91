using AncOrleans.Grains.Recordings;
using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="RecordingOptions"/> at start-up, naming the key at fault.</summary>
public sealed class RecordingOptionsValidator : IValidateOptions<RecordingOptions>
{
    private const string Prefix = RecordingOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, RecordingOptions options)
    {
        var errors = new List<string>();
        if (!RecordingOptions.Stores.Contains(options.Store?.Trim(), StringComparer.OrdinalIgnoreCase))
            errors.Add($"{Prefix}Store must be one of {string.Join(", ", RecordingOptions.Stores)}, not '{options.Store}'.");
        if (!(options.ChunkSeconds is >= 1 and <= 300))
            errors.Add($"{Prefix}ChunkSeconds must be between 1 and 300, not {options.ChunkSeconds}.");
        if (!options.UsesS3 && string.IsNullOrWhiteSpace(options.Directory))
            errors.Add($"{Prefix}Directory must be set when {Prefix}Store is file.");
        if (options.UsesS3)
        {
            if (string.IsNullOrWhiteSpace(options.S3.Bucket) || options.S3.Bucket.Length is < 3 or > 63)
                errors.Add($"{Prefix}S3:Bucket must name the bucket (3–63 characters) when {Prefix}Store is s3.");
            if (!string.IsNullOrEmpty(options.S3.ServiceUrl) && !Uri.TryCreate(options.S3.ServiceUrl, UriKind.Absolute, out _))
                errors.Add($"{Prefix}S3:ServiceUrl '{options.S3.ServiceUrl}' must be an absolute URL (e.g. http://127.0.0.1:18400).");
            if (options.S3.RequestTimeout < TimeSpan.FromSeconds(1) || options.S3.RequestTimeout > TimeSpan.FromMinutes(5))
                errors.Add($"{Prefix}S3:RequestTimeout must be between 00:00:01 and 00:05:00, not {options.S3.RequestTimeout}.");
            if (string.IsNullOrEmpty(options.S3.ServiceUrl) && (options.S3.AccessKey is not null || options.S3.SecretKey is not null))
                errors.Add($"{Prefix}S3:AccessKey and SecretKey are for a local server only (with {Prefix}S3:ServiceUrl); against AWS use the credentials chain (task role).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
