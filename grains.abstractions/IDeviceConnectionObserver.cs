using Orleans.Concurrency;

namespace AncOrleans.Abstractions;

/// <summary>
/// A gateway, as the device credential grains see it: told to end a device's connection when its key is revoked or
/// rotated, or when the device has connected again elsewhere (one active connection per device, cluster-wide).
/// </summary>
public interface IDeviceConnectionObserver : IGrainObserver
{
    /// <summary>Ends <paramref name="connection"/> of <paramref name="deviceId"/> if this gateway still serves it, telling the device why.</summary>
    [OneWay]
    Task CutOffAsync(string deviceId, Guid connection, string reason);
}
