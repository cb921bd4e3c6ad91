namespace AncOrleans.Abstractions.Recordings;

/// <summary>Where recorded WAV chunks go: the local file system (default) or S3 (production).</summary>
public interface IRecordingStore
{
    Task PutAsync(string key, byte[] wav, CancellationToken cancel);

    /// <summary>Recordings of one device (or all), oldest first.</summary>
    Task<IReadOnlyList<RecordingInfo>> ListAsync(string? deviceId, CancellationToken cancel);

    /// <summary>The WAV's bytes, or null when there is no such recording.</summary>
    Task<byte[]?> GetAsync(string key, CancellationToken cancel);
}
