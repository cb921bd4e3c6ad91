using System.Collections.Concurrent;
using AncOrleans.Abstractions;
using AncOrleans.Gateway.Devices;

namespace AncOrleans.Gateway.Security;

/// <summary>
/// This gateway's side of cluster-wide connection control: every device connection it serves is attached to the
/// device's credential grain (<see cref="IDeviceCredentialGrain.AttachAsync"/>), with this gateway as the observer.
/// A revocation or rotation on any gateway, or a newer connection of the device on another gateway, reaches the grain,
/// which tells this gateway to cut the connection off (<see cref="DeviceCutOff"/>). Attachments live in the grain's
/// memory, so they are renewed every <see cref="ReattachPeriod"/> (after a silo loss the grain comes back without
/// them); that also keeps the grain from being collected while its device is connected.
/// </summary>
public sealed class ClusterConnections(IGrainFactory grains, SessionRegistry registry, DeviceCutOff cutOff, ILogger<ClusterConnections> logger)
    : BackgroundService, IDeviceConnectionObserver
{
    public static readonly TimeSpan ReattachPeriod = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, Attachment> _attached = new(StringComparer.Ordinal);
    private IDeviceConnectionObserver? _self;

    private sealed record Attachment(IDeviceEndpoint Endpoint, Guid Connection, DateTime ConnectedUtc);

    /// <summary>Connections attached (for tests).</summary>
    public int Attached => _attached.Count;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _self = grains.CreateObjectReference<IDeviceConnectionObserver>(this);
        registry.EndpointConnected += OnConnected;
        registry.EndpointDisconnected += OnDisconnected;
        try
        {
            using var timer = new PeriodicTimer(ReattachPeriod);
            while (await timer.WaitForNextTickAsync(stoppingToken))
                foreach (var (deviceId, attachment) in _attached) await AttachAsync(deviceId, attachment);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            registry.EndpointConnected -= OnConnected;
            registry.EndpointDisconnected -= OnDisconnected;
            grains.DeleteObjectReference<IDeviceConnectionObserver>(_self);
        }
    }

    private void OnConnected(string deviceId, IDeviceEndpoint endpoint)
    {
        var attachment = new Attachment(endpoint, Guid.NewGuid(), DateTime.UtcNow);
        _attached[deviceId] = attachment;
        _ = AttachAsync(deviceId, attachment);
    }

    private void OnDisconnected(string deviceId, IDeviceEndpoint endpoint)
    {
        if (!_attached.TryGetValue(deviceId, out var attachment) || !ReferenceEquals(attachment.Endpoint, endpoint)) return;
        _attached.TryRemove(KeyValuePair.Create(deviceId, attachment));
        _ = DetachAsync(deviceId, attachment.Connection);
    }

    private async Task AttachAsync(string deviceId, Attachment attachment)
    {
        if (_self is null) return; // before start-up: the periodic pass attaches it
        try
        {
            if (!await grains.GetGrain<IDeviceCredentialGrain>(deviceId).AttachAsync(_self, attachment.Connection, attachment.ConnectedUtc))
                await CutOffAsync(deviceId, attachment.Connection, "replaced: this device has a newer connection (one connection per device)");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("Attaching device {Device}'s connection failed ({Reason}); tried again within {Period}", deviceId, e.Message, ReattachPeriod);
        }
    }

    private async Task DetachAsync(string deviceId, Guid connection)
    {
        try
        {
            await grains.GetGrain<IDeviceCredentialGrain>(deviceId).DetachAsync(connection);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogDebug("Detaching device {Device}'s connection failed ({Reason})", deviceId, e.Message);
        }
    }

    public async Task CutOffAsync(string deviceId, Guid connection, string reason)
    {
        if (!_attached.TryGetValue(deviceId, out var attachment) || attachment.Connection != connection) return;
        logger.LogInformation("Device {Device}: connection cut off ({Reason})", deviceId, reason);
        await cutOff.CutOffAsync(deviceId, reason);
    }
}
