namespace AncOrleans.Grains.Recordings;

/// <summary>
/// Section <c>Recording</c> (docs/recordings.md): where opt-in session recordings go. <c>Store</c> = <c>file</c>
/// (default; under <c>Directory</c>) or <c>s3</c> (<c>S3:Bucket</c>, keys under <c>S3:Prefix</c>; <c>S3:ServiceUrl</c>
/// for a local S3-compatible server, with <c>S3:AccessKey</c>/<c>S3:SecretKey</c>; without it the region and the AWS
/// credentials chain). <c>ChunkSeconds</c> of audio per WAV.
/// </summary>
public sealed class RecordingOptions
{
    public const string Section = "Recording";
    public const string FileStore = "file", S3Store = "s3";

    public static readonly IReadOnlyList<string> Stores = [FileStore, S3Store];

    public string Store { get; set; } = FileStore;

    public string Directory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "anc-orleans", "recordings");

    public double ChunkSeconds { get; set; } = 10;

    public RecordingS3Options S3 { get; set; } = new();

    public bool UsesS3 => string.Equals(Store?.Trim(), S3Store, StringComparison.OrdinalIgnoreCase);
}
