using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Orleans.GrainDirectory;
using Orleans.Runtime;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// A grain directory on DynamoDB (table <c>{prefix}directory</c>, key <c>GrainId</c>; one item per activation:
/// silo, activation id, membership version), for the grains that must not move when a silo merely <em>leaves</em>.
/// Orleans' default directory is spread over the silos, and when a silo shuts down every activation whose entry it
/// held is deactivated, wherever it runs (a session elsewhere lost ~9 frames to that in the local cluster); entries
/// here outlive any silo. Orleans' cached locator in front of it keeps lookups off the frame path and, when an entry
/// names a silo membership has declared dead, removes it and activates the grain anew, as with Orleans' Redis and
/// Azure Table directories. Semantics as theirs:
/// <list type="bullet">
/// <item><c>Register(address, previous)</c>: a conditional put — succeeds when there is no entry, or when the entry is
/// <c>previous</c> (a migration hands over its registration); otherwise returns the entry in place, which wins;</item>
/// <item><c>Unregister(address)</c>: a delete conditional on the activation id, so a newer entry is never removed;</item>
/// <item><c>UnregisterSilos</c>: nothing to do (the locator drops entries of dead silos on lookup).</item>
/// </list>
/// </summary>
public sealed class DynamoDbGrainDirectory(DynamoDbOptions options, IAmazonDynamoDB client) : IGrainDirectory, ILifecycleParticipant<ISiloLifecycle>
{
    private const string Key = "GrainId", Silo = "Silo", Activation = "ActivationId", Version = "MembershipVersion";
    private readonly string _table = options.DirectoryTable;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DynamoDbGrainDirectory), ServiceLifecycleStage.RuntimeInitialize, InitialiseAsync);

    public Task InitialiseAsync(CancellationToken cancel) => DynamoDbTables.EnsureAsync(client, _table, [(Key, KeyType.HASH)], null, cancel);

    public Task<GrainAddress?> Register(GrainAddress address) => Register(address, null);

    public async Task<GrainAddress?> Register(GrainAddress address, GrainAddress? previousAddress)
    {
        var request = new PutItemRequest
        {
            TableName = _table,
            Item = Item(address),
            ConditionExpression = previousAddress is null ? "attribute_not_exists(#g)" : "attribute_not_exists(#g) OR #a = :previous",
            ExpressionAttributeNames = previousAddress is null ? new() { ["#g"] = Key } : new() { ["#g"] = Key, ["#a"] = Activation },
        };
        if (previousAddress is not null)
            request.ExpressionAttributeValues = new() { [":previous"] = new AttributeValue(previousAddress.ActivationId.ToParsableString()) };
        try
        {
            await client.PutItemAsync(request);
            return address;
        }
        catch (ConditionalCheckFailedException)
        {
            // Someone else's activation is registered: it wins, unless it vanished meanwhile (then try once more).
            return await Lookup(address.GrainId) ?? await RegisterOnceMoreAsync(address);
        }
    }

    private async Task<GrainAddress?> RegisterOnceMoreAsync(GrainAddress address)
    {
        try
        {
            await client.PutItemAsync(new PutItemRequest
            {
                TableName = _table, Item = Item(address), ConditionExpression = "attribute_not_exists(#g)",
                ExpressionAttributeNames = new() { ["#g"] = Key },
            });
            return address;
        }
        catch (ConditionalCheckFailedException)
        {
            return await Lookup(address.GrainId);
        }
    }

    public async Task Unregister(GrainAddress address)
    {
        try
        {
            await client.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = _table,
                Key = new() { [Key] = new AttributeValue(address.GrainId.ToString()) },
                ConditionExpression = "#a = :activation",
                ExpressionAttributeNames = new() { ["#a"] = Activation },
                ExpressionAttributeValues = new() { [":activation"] = new AttributeValue(address.ActivationId.ToParsableString()) },
            });
        }
        catch (ConditionalCheckFailedException)
        {
            // Already replaced by a newer activation, or gone: nothing of ours to remove.
        }
    }

    public async Task<GrainAddress?> Lookup(GrainId grainId)
    {
        var response = await client.GetItemAsync(new GetItemRequest
        {
            TableName = _table, Key = new() { [Key] = new AttributeValue(grainId.ToString()) }, ConsistentRead = true,
        });
        if (response.Item is not { Count: > 0 } item) return null;
        return new GrainAddress
        {
            GrainId = grainId,
            SiloAddress = SiloAddress.FromParsableString(item[Silo].S),
            ActivationId = ActivationId.FromParsableString(item[Activation].S),
            MembershipVersion = new MembershipVersion(long.Parse(item[Version].N, System.Globalization.CultureInfo.InvariantCulture)),
        };
    }

    public Task UnregisterSilos(List<SiloAddress> siloAddresses) => Task.CompletedTask;

    private static Dictionary<string, AttributeValue> Item(GrainAddress address) => new()
    {
        [Key] = new AttributeValue(address.GrainId.ToString()),
        [Silo] = new AttributeValue(address.SiloAddress!.ToParsableString()),
        [Activation] = new AttributeValue(address.ActivationId.ToParsableString()),
        [Version] = new AttributeValue { N = address.MembershipVersion.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };
}
