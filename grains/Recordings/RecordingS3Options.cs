namespace AncOrleans.Grains.Recordings;

/// <summary>Section <c>Recording:S3</c>: the bucket and, for a local S3-compatible server, its URL and keys.</summary>
public sealed class RecordingS3Options
{
    public string? Bucket { get; set; }

    /// <summary>Prefix of every key (the infra's lifecycle rules match it).</summary>
    public string Prefix { get; set; } = "recordings/";

    /// <summary>A local S3-compatible server (path-style requests); unset against AWS.</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Only with <see cref="ServiceUrl"/>: the local server's keys (s3rver: S3RVER / S3RVER). AWS uses its credentials chain.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>
    /// How long one attempt of an S3 request may take, its answer's body included, before the SDK abandons it and
    /// retries (the SDK's own timeout does not cover the body: docs/reliability.md). A chunk's upload is about 1 MB.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
