using System.Text.Json;
using AncOrleans.Abstractions.Analytics;

namespace AncOrleans.Grains.Analytics;

/// <summary>
/// <c>Analytics:Store=file</c>: JSON lines in <c>Analytics:Directory</c> — <c>summaries.jsonl</c> (every write
/// appended; the last line of a session wins on reading) and <c>audit.jsonl</c>. For one machine: a single process
/// writes (a lock in this process), readers scan the whole file. Survives a restart, unlike memory.
/// </summary>
public sealed class FileAnalyticsStore : IAnalyticsStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly string _summaries, _audit;

    public FileAnalyticsStore(string directory)
    {
        Directory.CreateDirectory(directory);
        _summaries = Path.Combine(directory, "summaries.jsonl");
        _audit = Path.Combine(directory, "audit.jsonl");
    }

    public Task WriteSummaryAsync(SessionSummary summary, CancellationToken cancel) => AppendAsync(_summaries, summary, cancel);

    public Task WriteAuditAsync(AuditEvent audit, CancellationToken cancel) => AppendAsync(_audit, audit, cancel);

    public async Task<IReadOnlyList<SessionSummary>> ReadSummariesAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel)
    {
        var latest = new Dictionary<string, SessionSummary>(StringComparer.Ordinal);
        foreach (var summary in await ReadAsync<SessionSummary>(_summaries, cancel)) latest[AnalyticsQuery.Key(summary)] = summary;
        return AnalyticsQuery.Newest(latest.Values.Where(s => AnalyticsQuery.Overlaps(s, from, to, deviceId)), limit);
    }

    public async Task<IReadOnlyList<AuditEvent>> ReadAuditAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel) =>
        AnalyticsQuery.Newest((await ReadAsync<AuditEvent>(_audit, cancel)).Where(e => AnalyticsQuery.Within(e, from, to, deviceId)), limit);

    private async Task AppendAsync<T>(string path, T value, CancellationToken cancel)
    {
        var line = JsonSerializer.Serialize(value, Json) + "\n";
        await _lock.WaitAsync(cancel);
        try
        {
            await File.AppendAllTextAsync(path, line, cancel);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<List<T>> ReadAsync<T>(string path, CancellationToken cancel)
    {
        string[] lines;
        await _lock.WaitAsync(cancel);
        try
        {
            lines = File.Exists(path) ? await File.ReadAllLinesAsync(path, cancel) : [];
        }
        finally
        {
            _lock.Release();
        }
        var values = new List<T>(lines.Length);
        foreach (var line in lines)
            if (line.Length > 0 && JsonSerializer.Deserialize<T>(line, Json) is { } value) values.Add(value);
        return values;
    }
}
