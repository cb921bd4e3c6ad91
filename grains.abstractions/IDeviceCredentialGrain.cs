namespace AncOrleans.Abstractions;

/// <summary>
/// A device's credential (key = device id), kept hashed with persistent state. The gateway verifies a presented key
/// against <see cref="GetAsync"/>'s hash itself, so the key never travels to a silo.
/// </summary>
public interface IDeviceCredentialGrain : IGrainWithStringKey
{
    /// <summary>Stores a new credential (provisioning or rotation): any earlier one stops working. Returns its generation.</summary>
    Task<int> SetAsync(DeviceCredential credential);

    /// <summary>The credential, or null if none was ever provisioned.</summary>
    Task<DeviceCredential?> GetAsync();

    /// <summary>Revokes the credential; false if there was none. The gateway attached to the device is told to cut it off.</summary>
    Task<bool> RevokeAsync();

    /// <summary>
    /// A gateway serves the device on <paramref name="connection"/>, opened at <paramref name="connectedUtc"/>. The newest
    /// connection wins: an older one attached elsewhere is cut off (its gateway is told); returns false when this one is
    /// the older (its gateway closes it). Attachments live in memory; gateways re-attach periodically.
    /// </summary>
    Task<bool> AttachAsync(IDeviceConnectionObserver gateway, Guid connection, DateTime connectedUtc);

    /// <summary>The connection ended.</summary>
    Task DetachAsync(Guid connection);
}

/// <summary>
/// A hashed device key: PBKDF2-HMAC-SHA256 of the key with a random salt. <see cref="Generation"/> counts
/// rotations; <see cref="RevokedUtc"/> is set once revoked (a revoked credential verifies nothing).
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.DeviceCredential")]
public sealed record DeviceCredential(
    [property: Id(0)] byte[] Salt,
    [property: Id(1)] byte[] Hash,
    [property: Id(2)] int Iterations,
    [property: Id(3)] DateTime CreatedUtc,
    [property: Id(4)] DateTime? RevokedUtc = null,
    [property: Id(5)] int Generation = 0);

/// <summary>The ids that have a credential, for <c>GET /v1/devices</c> (one grain, key 0; the credentials live per device).</summary>
public interface IDeviceDirectoryGrain : IGrainWithIntegerKey
{
    Task AddAsync(string deviceId);

    Task RemoveAsync(string deviceId);

    Task<string[]> ListAsync();
}
