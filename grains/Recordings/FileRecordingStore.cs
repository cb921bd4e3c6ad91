using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions.Recordings;

namespace AncOrleans.Grains.Recordings;

/// <summary>
/// <c>Recording:Store=file</c> (the default): each WAV at <c>{Directory}/{key}</c>. Keys are checked
/// (<see cref="RecordingKeys.TryParse"/>) before any path is made, so none leaves the directory.
/// </summary>
public sealed class FileRecordingStore(string directory) : IRecordingStore
{
    public async Task PutAsync(string key, byte[] wav, CancellationToken cancel)
    {
        var path = PathOf(key) ?? throw new ArgumentException($"'{key}' is not a recording key.");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".part";
        await File.WriteAllBytesAsync(temporary, wav, cancel);
        File.Move(temporary, path, overwrite: true); // readers never see half a file
    }

    public Task<IReadOnlyList<RecordingInfo>> ListAsync(string? deviceId, CancellationToken cancel)
    {
        var root = deviceId is null ? directory : Path.Combine(directory, deviceId);
        if (deviceId is not null && !DeviceId.TryParse(deviceId, out _, out var bad)) throw new ArgumentException(bad!);
        if (!Directory.Exists(root)) return Task.FromResult<IReadOnlyList<RecordingInfo>>([]);
        var found = new List<RecordingInfo>();
        foreach (var file in Directory.EnumerateFiles(root, "*.wav", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(directory, file).Replace(Path.DirectorySeparatorChar, '/');
            if (!RecordingKeys.TryParse(key, out var info)) continue;
            var stat = new FileInfo(file);
            found.Add(info with { Bytes = stat.Length, ModifiedUtc = stat.LastWriteTimeUtc });
        }
        return Task.FromResult<IReadOnlyList<RecordingInfo>>(found.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray());
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken cancel) =>
        PathOf(key) is { } path && File.Exists(path) ? await File.ReadAllBytesAsync(path, cancel) : null;

    private string? PathOf(string key) => RecordingKeys.TryParse(key, out _) ? Path.Combine(directory, key.Replace('/', Path.DirectorySeparatorChar)) : null;
}
