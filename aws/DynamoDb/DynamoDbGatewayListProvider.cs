using Amazon.DynamoDBv2.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace AncOrleans.Aws.DynamoDb;

/// <summary>
/// Where an external Orleans client finds the cluster: the gateway endpoints of the silos that the DynamoDB
/// membership table (<see cref="DynamoDbMembershipTable"/>) lists as <see cref="SiloStatus.Active"/> with a
/// gateway port. A silo that is joining, shutting down or dead is left out. Orleans re-reads the list every
/// <see cref="GatewayOptions.GatewayListRefreshPeriod"/> (and drops a gateway sooner when its connection fails).
/// The client never creates the table: before the first silo has, the list is empty and the client retries.
/// </summary>
public sealed class DynamoDbGatewayListProvider(
    DynamoDbMembershipTable table,
    IOptions<GatewayOptions> gatewayOptions,
    ILogger<DynamoDbGatewayListProvider> logger) : IGatewayListProvider
{
    public TimeSpan MaxStaleness => gatewayOptions.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    public async Task<IList<Uri>> GetGateways()
    {
        MembershipTableData data;
        try
        {
            data = await table.ReadAll();
        }
        catch (ResourceNotFoundException)
        {
            logger.LogWarning("Membership table {Table} does not exist yet: no silo has started; no gateways", table.TableName);
            return [];
        }
        var gateways = data.Members
            .Select(member => member.Item1)
            .Where(entry => entry.Status == SiloStatus.Active && entry.ProxyPort > 0)
            .Select(entry => SiloAddress.New(entry.SiloAddress.Endpoint.Address, entry.ProxyPort, entry.SiloAddress.Generation).ToGatewayUri())
            .ToList();
        logger.LogDebug("Gateways from {Table}: {Gateways}", table.TableName, string.Join(", ", gateways));
        return gateways;
    }
}
