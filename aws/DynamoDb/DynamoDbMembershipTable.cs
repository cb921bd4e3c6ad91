using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Orleans.Runtime;
using Orleans.Serialization;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// Orleans membership on DynamoDB (table <c>{prefix}membership</c>: hash key <c>ClusterId</c>, range key <c>Row</c>).
/// One version row (<c>#version</c>: Version, ETag) and one row per silo (the entry serialised with Orleans'
/// serializer, its ETag, status and IAmAlive time). Inserts and updates are one transaction: the version row moves
/// to the new version only if its ETag is still the one the caller read, and the silo row is written only if it is
/// new (insert) or still carries the caller's ETag (update) — so concurrent silos never corrupt the table, the
/// contract Orleans' membership protocol relies on. IAmAlive is a plain in-place update of one attribute.
/// </summary>
public sealed class DynamoDbMembershipTable(string clusterId, DynamoDbOptions options, IAmazonDynamoDB client, Serializer serializer) : IMembershipTable
{
    private const string Cluster = "ClusterId", Row = "Row", VersionRow = "#version";
    private const string Version = "Version", ETag = "ETag", Entry = "Entry", Status = "Status", Alive = "IAmAlive";
    private readonly string _table = options.MembershipTable;

    public string TableName => _table;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await DynamoDbTables.EnsureAsync(client, _table, [(Cluster, KeyType.HASH), (Row, KeyType.RANGE)], null, CancellationToken.None);
        if (!tryInitTableVersion) return;
        try
        {
            await client.PutItemAsync(new PutItemRequest
            {
                TableName = _table,
                Item = new() { [Cluster] = S(clusterId), [Row] = S(VersionRow), [Version] = N(0), [ETag] = S(NewETag()) },
                ConditionExpression = "attribute_not_exists(#r)",
                ExpressionAttributeNames = new() { ["#r"] = Row },
            });
        }
        catch (ConditionalCheckFailedException)
        {
            // Another silo initialised it.
        }
    }

    public async Task DeleteMembershipTableEntries(string cluster)
    {
        foreach (var item in await QueryAsync(cluster))
            await client.DeleteItemAsync(new DeleteItemRequest { TableName = _table, Key = new() { [Cluster] = S(cluster), [Row] = item[Row] } });
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        foreach (var item in await QueryAsync(clusterId))
        {
            if (item[Row].S == VersionRow) continue;
            // Orleans' contract (its DynamoDB, Azure Table, Redis and SQL providers): every row older than the cut-off
            // that is not Active is defunct — Dead, but also a silo that crashed while Joining or ShuttingDown.
            var active = int.Parse(item[Status].N, CultureInfo.InvariantCulture) == (int)SiloStatus.Active;
            var alive = DateTimeOffset.Parse(item[Alive].S, CultureInfo.InvariantCulture);
            if (!active && alive < beforeDate)
                await client.DeleteItemAsync(new DeleteItemRequest { TableName = _table, Key = new() { [Cluster] = S(clusterId), [Row] = item[Row] } });
        }
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key) => Read(await QueryAsync(clusterId), key.ToParsableString());

    public async Task<MembershipTableData> ReadAll() => Read(await QueryAsync(clusterId), null);

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) => WriteAsync(entry, null, tableVersion);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) => WriteAsync(entry, etag, tableVersion);

    public Task UpdateIAmAlive(MembershipEntry entry) =>
        client.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = _table,
            Key = new() { [Cluster] = S(clusterId), [Row] = S(entry.SiloAddress.ToParsableString()) },
            UpdateExpression = "SET #a = :a",
            ConditionExpression = "attribute_exists(#r)",
            ExpressionAttributeNames = new() { ["#a"] = Alive, ["#r"] = Row },
            ExpressionAttributeValues = new() { [":a"] = S(entry.IAmAliveTime.ToString("O", CultureInfo.InvariantCulture)) },
        });

    private async Task<bool> WriteAsync(MembershipEntry entry, string? etag, TableVersion tableVersion)
    {
        var silo = new Put
        {
            TableName = _table,
            Item = new()
            {
                [Cluster] = S(clusterId),
                [Row] = S(entry.SiloAddress.ToParsableString()),
                [Entry] = new AttributeValue { B = new MemoryStream(serializer.SerializeToArray(entry)) },
                [ETag] = S(NewETag()),
                [Status] = N((int)entry.Status),
                [Alive] = S(entry.IAmAliveTime.ToString("O", CultureInfo.InvariantCulture)),
            },
        };
        if (etag is null)
        {
            silo.ConditionExpression = "attribute_not_exists(#r)";
            silo.ExpressionAttributeNames = new() { ["#r"] = Row };
        }
        else
        {
            silo.ConditionExpression = "#e = :e";
            silo.ExpressionAttributeNames = new() { ["#e"] = ETag };
            silo.ExpressionAttributeValues = new() { [":e"] = S(etag) };
        }
        var version = new Update
        {
            TableName = _table,
            Key = new() { [Cluster] = S(clusterId), [Row] = S(VersionRow) },
            UpdateExpression = "SET #v = :v, #e = :new",
            ConditionExpression = "#e = :old",
            ExpressionAttributeNames = new() { ["#v"] = Version, ["#e"] = ETag },
            ExpressionAttributeValues = new() { [":v"] = N(tableVersion.Version), [":new"] = S(NewETag()), [":old"] = S(tableVersion.VersionEtag) },
        };
        try
        {
            await client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = [new() { Update = version }, new() { Put = silo }] });
            return true;
        }
        catch (TransactionCanceledException)
        {
            return false; // a stale table version or silo ETag: the caller re-reads and retries
        }
    }

    private MembershipTableData Read(List<Dictionary<string, AttributeValue>> items, string? only)
    {
        var version = new TableVersion(0, "0");
        var entries = new List<Tuple<MembershipEntry, string>>();
        foreach (var item in items)
        {
            if (item[Row].S == VersionRow)
            {
                version = new TableVersion(int.Parse(item[Version].N, CultureInfo.InvariantCulture), item[ETag].S);
                continue;
            }
            if (only is not null && item[Row].S != only) continue;
            var entry = serializer.Deserialize<MembershipEntry>(item[Entry].B.ToArray());
            entry!.IAmAliveTime = DateTime.Parse(item[Alive].S, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            entries.Add(Tuple.Create(entry, item[ETag].S));
        }
        return new MembershipTableData(entries, version);
    }

    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string cluster)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await client.QueryAsync(new QueryRequest
            {
                TableName = _table,
                ConsistentRead = true,
                KeyConditionExpression = "#c = :c",
                ExpressionAttributeNames = new() { ["#c"] = Cluster },
                ExpressionAttributeValues = new() { [":c"] = S(cluster) },
                ExclusiveStartKey = start,
            });
            if (page.Items is not null) items.AddRange(page.Items);
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);
        return items;
    }

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(int value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static string NewETag() => Guid.NewGuid().ToString("N");
}
