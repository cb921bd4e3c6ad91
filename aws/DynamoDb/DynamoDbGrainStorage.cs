using System.Diagnostics;
using System.IO.Compression;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// Grain storage on DynamoDB (table <c>{prefix}grain-state</c>, key <c>Id</c> = state name + grain id).
/// The state is serialised with Orleans' serializer and Brotli-compressed; a state whose compressed size exceeds
/// one item's budget (350 KB of DynamoDB's 400 KB) is split into chunk items written in one transaction; a state
/// that fits one item is a single conditional put.
/// Optimistic concurrency: every write is conditional on the ETag read (or on the item not existing), and a
/// conflict raises <see cref="InconsistentStateException"/>. Optional TTL refreshes on every write.
/// A read or write that takes longer than <see cref="SlowCall"/> (the SDK's retries included) is logged as a warning.
/// </summary>
public sealed class DynamoDbGrainStorage(string name, DynamoDbOptions options, IAmazonDynamoDB client, Serializer serializer, ILogger? logger = null)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public static readonly TimeSpan SlowCall = TimeSpan.FromSeconds(1);
    public const int ChunkBytes = 350 * 1024;
    private const string Key = "Id", ETag = "ETag", Data = "Data", Chunks = "Chunks", Expires = "ExpiresAt";
    private readonly string _table = options.GrainStateTable;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe($"DynamoDbGrainStorage-{name}", ServiceLifecycleStage.ApplicationServices, InitialiseAsync);

    public Task InitialiseAsync(CancellationToken cancel) =>
        DynamoDbTables.EnsureAsync(client, _table, [(Key, KeyType.HASH)], options.StateTimeToLive is null ? null : Expires, cancel);

    private static string ItemKey(string stateName, GrainId grainId) => $"{stateName}/{grainId}";

    // The timestamp is an argument before the call: C# evaluates arguments left to right, so it is taken first.
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TimedAsync("read", stateName, grainId, Stopwatch.GetTimestamp(), ReadAsync(stateName, grainId, grainState));

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        TimedAsync("write", stateName, grainId, Stopwatch.GetTimestamp(), WriteAsync(stateName, grainId, grainState));

    /// <summary>Awaits <paramref name="call"/>, and warns when it took <see cref="SlowCall"/> or longer.</summary>
    private async Task TimedAsync(string what, string stateName, GrainId grainId, long started, Task call)
    {
        try
        {
            await call;
        }
        finally
        {
            var took = Stopwatch.GetElapsedTime(started);
            if (took >= SlowCall && logger is not null)
                logger.LogWarning("DynamoDB {What} of {Key} took {Ms:0} ms (table {Table})", what, ItemKey(stateName, grainId), took.TotalMilliseconds, _table);
        }
    }

    private async Task ReadAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = ItemKey(stateName, grainId);
        var response = await GetAsync(new GetItemRequest { TableName = _table, Key = Id(key), ConsistentRead = true });
        if (response.Item is not { Count: > 0 } item)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }
        var chunks = item.TryGetValue(Chunks, out var count) ? int.Parse(count.N) : 1;
        using var payload = new MemoryStream();
        item[Data].B.WriteTo(payload);
        for (var i = 1; i < chunks; i++)
        {
            var part = await GetAsync(new GetItemRequest { TableName = _table, Key = Id($"{key}#{i}"), ConsistentRead = true });
            if (part.Item is not { Count: > 0 }) throw new InvalidOperationException($"Grain state {key} is missing chunk {i} of {chunks}.");
            part.Item[Data].B.WriteTo(payload);
        }
        payload.Position = 0;
        using var brotli = new BrotliStream(payload, CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await brotli.CopyToAsync(plain);
        grainState.State = serializer.Deserialize<T>(plain.ToArray());
        grainState.ETag = item[ETag].S;
        grainState.RecordExists = true;
    }

    /// <summary>
    /// One item, read with a deadline of its own: twice <see cref="DynamoDbOptions.RequestTimeout"/> for the SDK's call
    /// (its attempts and retries), then once more. A read is what an activation waits for (Orleans gives it 30 s): in
    /// whole-suite failover runs a moved session's activation hung in its lifecycle start, where this read is the only
    /// step, while the rest of the silo worked (no stall logged) — not shown to be this read, so a call that outlives its
    /// deadline is abandoned, logged, and sent again (docs/reliability.md). After the last call: a <see cref="TimeoutException"/>.
    /// </summary>
    private async Task<GetItemResponse> GetAsync(GetItemRequest request)
    {
        var deadline = 2 * options.RequestTimeout;
        for (var attempt = 1; ; attempt++)
        {
            using var cancel = new CancellationTokenSource(deadline);
            try
            {
                // WaitAsync: abandoned at the deadline even if the SDK did not heed its token.
                return await client.GetItemAsync(request, cancel.Token).WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested && attempt < ReadCalls)
            {
                logger?.LogWarning("DynamoDB read of {Key} got no answer in {Seconds:0.#} s (call {Attempt} of {Calls}); sending it again",
                    request.Key[Key].S, deadline.TotalSeconds, attempt, ReadCalls);
            }
            catch (OperationCanceledException e) when (cancel.IsCancellationRequested)
            {
                // A timeout, not a cancellation: Orleans fails the activation with it as the inner exception, and the
                // caller's re-send (SiloLossRetry) knows a storage that did not answer from a call that was cancelled.
                throw new TimeoutException($"DynamoDB read of {request.Key[Key].S} got no answer in {ReadCalls} calls of {deadline.TotalSeconds:0.#} s", e);
            }
        }
    }

    private const int ReadCalls = 2;

    private async Task WriteAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = ItemKey(stateName, grainId);
        var bytes = Compress(serializer.SerializeToArray(grainState.State));
        var chunks = Math.Max(1, (bytes.Length + ChunkBytes - 1) / ChunkBytes);
        var etag = Guid.NewGuid().ToString("N");
        var main = new Dictionary<string, AttributeValue>
        {
            [Key] = new() { S = key },
            [ETag] = new() { S = etag },
            [Data] = new() { B = new MemoryStream(bytes, 0, Math.Min(ChunkBytes, bytes.Length)) },
            [Chunks] = new() { N = chunks.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
        if (options.StateTimeToLive is { } ttl)
            main[Expires] = new AttributeValue { N = DateTimeOffset.UtcNow.Add(ttl).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var put = new Put { TableName = _table, Item = main };
        Guard(put, grainState.ETag);
        var items = new List<TransactWriteItem> { new() { Put = put } };
        for (var i = 1; i < chunks; i++)
        {
            var offset = i * ChunkBytes;
            items.Add(new TransactWriteItem
            {
                Put = new Put
                {
                    TableName = _table,
                    Item = new Dictionary<string, AttributeValue>
                    {
                        [Key] = new() { S = $"{key}#{i}" },
                        [Data] = new() { B = new MemoryStream(bytes, offset, Math.Min(ChunkBytes, bytes.Length - offset)) },
                    },
                },
            });
        }
        try
        {
            // One item: a conditional put (a transaction costs twice the write units: a 27 KB session checkpoint is
            // 27 units as a put, 54 in a transaction). Chunks: one transaction, so readers never see a mix.
            if (items.Count == 1)
                await client.PutItemAsync(new PutItemRequest
                {
                    TableName = _table,
                    Item = put.Item,
                    ConditionExpression = put.ConditionExpression,
                    ExpressionAttributeNames = put.ExpressionAttributeNames,
                    ExpressionAttributeValues = put.ExpressionAttributeValues,
                });
            else
                await client.TransactWriteItemsAsync(new TransactWriteItemsRequest { TransactItems = items, ClientRequestToken = etag });
        }
        catch (Exception e) when (e is ConditionalCheckFailedException
            || (e is TransactionCanceledException t && t.CancellationReasons?.FirstOrDefault()?.Code == "ConditionalCheckFailed"))
        {
            // The SDK sends a request again when an attempt timed out or its answer was lost; if an earlier attempt of this
            // very write was applied, the retry's condition fails on the ETag that attempt wrote — ours. That write
            // succeeded: taking it for a conflict left the grain with a stale ETag, and every later write failed.
            if (await CurrentETagAsync(key) != etag)
                throw new InconsistentStateException($"Grain state {key} was changed by another writer (ETag {grainState.ETag ?? "none"} is stale).", "unknown", grainState.ETag ?? "none", e);
            logger?.LogInformation("DynamoDB write of {Key}: an earlier attempt of this write was applied (its retry found our own ETag)", key);
        }
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    // The ETag the item carries now (null: no item) — after a failed condition, whether a write or delete of ours landed.
    private async Task<string?> CurrentETagAsync(string key)
    {
        var current = await GetAsync(new GetItemRequest
        {
            TableName = _table, Key = Id(key), ConsistentRead = true, ProjectionExpression = "#e", ExpressionAttributeNames = new() { ["#e"] = ETag },
        });
        return current.Item is { } item && item.TryGetValue(ETag, out var value) ? value.S : null;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = ItemKey(stateName, grainId);
        if (grainState.ETag is not null)
        {
            var delete = new DeleteItemRequest { TableName = _table, Key = Id(key), ConditionExpression = "#e = :e", ExpressionAttributeNames = new() { ["#e"] = ETag }, ExpressionAttributeValues = new() { [":e"] = new AttributeValue { S = grainState.ETag } }, ReturnValues = ReturnValue.ALL_OLD };
            try
            {
                var old = await client.DeleteItemAsync(delete);
                if (old.Attributes?.TryGetValue(Chunks, out var count) == true)
                    for (var i = 1; i < int.Parse(count.N); i++)
                        await client.DeleteItemAsync(new DeleteItemRequest { TableName = _table, Key = Id($"{key}#{i}") });
            }
            catch (ConditionalCheckFailedException e)
            {
                // As for a write: a delete sent again after an applied attempt finds no item. Gone is what was asked for
                // (a chunked state's further items are then left to their TTL: the applied attempt's answer named them).
                if (await CurrentETagAsync(key) is not null)
                    throw new InconsistentStateException($"Grain state {key} was changed by another writer before it could be cleared.", "unknown", grainState.ETag, e);
            }
        }
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    // New state: the item must not exist. Existing state: its ETag must be the one we read.
    private static void Guard(Put put, string? etag)
    {
        if (etag is null)
        {
            put.ConditionExpression = "attribute_not_exists(#k)";
            put.ExpressionAttributeNames = new Dictionary<string, string> { ["#k"] = Key };
            return;
        }
        put.ConditionExpression = "#e = :e";
        put.ExpressionAttributeNames = new Dictionary<string, string> { ["#e"] = ETag };
        put.ExpressionAttributeValues = new Dictionary<string, AttributeValue> { [":e"] = new() { S = etag } };
    }

    private static Dictionary<string, AttributeValue> Id(string key) => new() { [Key] = new AttributeValue { S = key } };

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Fastest)) brotli.Write(data);
        return output.ToArray();
    }
}
