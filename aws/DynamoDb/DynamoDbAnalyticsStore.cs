using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Grains.Analytics;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// Session summaries and the audit log on DynamoDB (table <c>{prefix}analytics</c>, created on first use like the
/// others): hash key <c>Device</c>, range key <c>Sort</c> = <c>s#{start}</c> for a session's summary (so its
/// minutely rewrites replace it) or <c>a#{time}#{random}</c> for an audit event (<c>Device</c> = <c>-</c> when it
/// names none). The record itself is JSON in <c>Json</c>; <c>From</c>/<c>To</c> (ISO-8601 UTC, which sorts as
/// text) let the reads filter on the server. One device: a Query on its key; all devices: a Scan with the same
/// filter — an admin's occasional read, paid per item scanned (docs/analytics.md).
/// </summary>
public sealed class DynamoDbAnalyticsStore(DynamoDbOptions options, IAmazonDynamoDB client) : IAnalyticsStore
{
    private const string Device = "Device", Sort = "Sort", From = "From", To = "To", Json = "Json", NoDevice = "-";
    private const string SummaryPrefix = "s#", AuditPrefix = "a#";
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
    private readonly string _table = options.AnalyticsTable;
    private readonly SemaphoreSlim _ensure = new(1, 1);
    private volatile bool _ready;

    public string TableName => _table;

    public async Task WriteSummaryAsync(SessionSummary summary, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(summary);
        await EnsureAsync(cancel);
        await client.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new()
            {
                [Device] = S(summary.DeviceId), [Sort] = S(SummaryPrefix + Iso(summary.StartedUtc)),
                [From] = S(Iso(summary.StartedUtc)), [To] = S(Iso(summary.UpdatedUtc)),
                [Json] = S(JsonSerializer.Serialize(summary, JsonOptions)),
            },
        }, cancel);
    }

    public async Task WriteAuditAsync(AuditEvent audit, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(audit);
        await EnsureAsync(cancel);
        await client.PutItemAsync(new PutItemRequest
        {
            TableName = _table,
            Item = new()
            {
                [Device] = S(audit.DeviceId ?? NoDevice), [Sort] = S($"{AuditPrefix}{Iso(audit.AtUtc)}#{Guid.NewGuid():N}"),
                [From] = S(Iso(audit.AtUtc)), [To] = S(Iso(audit.AtUtc)),
                [Json] = S(JsonSerializer.Serialize(audit, JsonOptions)),
            },
        }, cancel);
    }

    public async Task<IReadOnlyList<SessionSummary>> ReadSummariesAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel) =>
        AnalyticsQuery.Newest((await ReadAsync<SessionSummary>(SummaryPrefix, from, to, deviceId, cancel))
            .Where(s => AnalyticsQuery.Overlaps(s, from, to, deviceId)), limit);

    public async Task<IReadOnlyList<AuditEvent>> ReadAuditAsync(DateTime from, DateTime to, string? deviceId, int limit, CancellationToken cancel) =>
        AnalyticsQuery.Newest((await ReadAsync<AuditEvent>(AuditPrefix, from, to, deviceId, cancel))
            .Where(e => AnalyticsQuery.Within(e, from, to, deviceId)), limit);

    // Overlap with [from, to]: the record starts by `to` and ends at or after `from`.
    private async Task<List<T>> ReadAsync<T>(string prefix, DateTime from, DateTime to, string? deviceId, CancellationToken cancel)
    {
        await EnsureAsync(cancel);
        var names = new Dictionary<string, string> { ["#s"] = Sort, ["#f"] = From, ["#t"] = To };
        var values = new Dictionary<string, AttributeValue> { [":p"] = S(prefix), [":from"] = S(Iso(from)), [":to"] = S(Iso(to)) };
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            if (deviceId is not null)
            {
                names["#d"] = Device;
                values[":d"] = S(deviceId);
                var page = await client.QueryAsync(new QueryRequest
                {
                    TableName = _table, ConsistentRead = true, ExclusiveStartKey = start,
                    KeyConditionExpression = "#d = :d AND begins_with(#s, :p)",
                    FilterExpression = "#f <= :to AND #t >= :from",
                    ExpressionAttributeNames = names, ExpressionAttributeValues = values,
                }, cancel);
                if (page.Items is not null) items.AddRange(page.Items);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
            else
            {
                var page = await client.ScanAsync(new ScanRequest
                {
                    TableName = _table, ConsistentRead = true, ExclusiveStartKey = start,
                    FilterExpression = "begins_with(#s, :p) AND #f <= :to AND #t >= :from",
                    ExpressionAttributeNames = names, ExpressionAttributeValues = values,
                }, cancel);
                if (page.Items is not null) items.AddRange(page.Items);
                start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
            }
        }
        while (start is not null);
        var records = new List<T>(items.Count);
        foreach (var item in items)
            if (JsonSerializer.Deserialize<T>(item[Json].S, JsonOptions) is { } record) records.Add(record);
        return records;
    }

    private async Task EnsureAsync(CancellationToken cancel)
    {
        if (_ready) return;
        await _ensure.WaitAsync(cancel);
        try
        {
            if (_ready) return;
            await DynamoDbTables.EnsureAsync(client, _table, [(Device, KeyType.HASH), (Sort, KeyType.RANGE)], null, cancel);
            _ready = true;
        }
        finally
        {
            _ensure.Release();
        }
    }

    private static string Iso(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);

    private static AttributeValue S(string value) => new() { S = value };
}
