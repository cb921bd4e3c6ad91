using AncOrleans.Abstractions;

namespace AncOrleans.Grains.Devices;

/// <summary>
/// A device's hashed key, persisted in the sessions store. Collected after two idle minutes: a connect with a
/// made-up id reads storage once and leaves nothing for long (a gateway serving the device re-attaches every 30 s,
/// which keeps it active). It also knows which gateway serves the device (<see cref="AttachAsync"/>): a revocation,
/// a rotation or a newer connection elsewhere cuts the old connection off on whichever gateway holds it.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
internal sealed class DeviceCredentialGrain([PersistentState("credential", StorageNames.Sessions)] IPersistentState<DeviceCredentialState> state)
    : Grain, IDeviceCredentialGrain
{
    private Attachment? _attached;

    private sealed record Attachment(IDeviceConnectionObserver Gateway, Guid Connection, DateTime ConnectedUtc);

    public Task<bool> AttachAsync(IDeviceConnectionObserver gateway, Guid connection, DateTime connectedUtc)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        if (_attached is { } current && current.Connection != connection)
        {
            if (current.ConnectedUtc > connectedUtc) return Task.FromResult(false);
            CutOff(current, "replaced: this device connected again (one connection per device)");
        }
        _attached = new Attachment(gateway, connection, connectedUtc);
        return Task.FromResult(true);
    }

    public Task DetachAsync(Guid connection)
    {
        if (_attached?.Connection == connection) _attached = null;
        return Task.CompletedTask;
    }

    private void CutOff(Attachment attachment, string reason)
    {
        _attached = null;
        // One-way: a gateway that has gone does not hold up the revocation.
        _ = attachment.Gateway.CutOffAsync(this.GetPrimaryKeyString(), attachment.Connection, reason);
    }

    public async Task<int> SetAsync(DeviceCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        var generation = (state.State.Credential?.Generation ?? 0) + 1;
        state.State = new DeviceCredentialState { Credential = credential with { Generation = generation, RevokedUtc = null } };
        await state.WriteStateAsync();
        if (_attached is { } attached) CutOff(attached, "key rotated: connect again with the new key");
        return generation;
    }

    public Task<DeviceCredential?> GetAsync() => Task.FromResult(state.RecordExists ? state.State.Credential : null);

    public async Task<bool> RevokeAsync()
    {
        if (state.State.Credential is not { } credential) return false;
        if (credential.RevokedUtc is null)
        {
            state.State = new DeviceCredentialState { Credential = credential with { RevokedUtc = DateTime.UtcNow } };
            await state.WriteStateAsync();
        }
        if (_attached is { } attached) CutOff(attached, "this device's key was revoked");
        return true;
    }
}

/// <summary>The credential grain's stored state.</summary>
[GenerateSerializer, Alias("anc.DeviceCredentialState")]
public sealed class DeviceCredentialState
{
    [Id(0)] public DeviceCredential? Credential { get; set; }
}

/// <summary>The provisioned ids (admin listing only; never on a device's path).</summary>
internal sealed class DeviceDirectoryGrain([PersistentState("devices", StorageNames.Sessions)] IPersistentState<DeviceDirectoryState> state)
    : Grain, IDeviceDirectoryGrain
{
    public async Task AddAsync(string deviceId)
    {
        if (state.State.Ids.Add(deviceId)) await state.WriteStateAsync();
    }

    public async Task RemoveAsync(string deviceId)
    {
        if (state.State.Ids.Remove(deviceId)) await state.WriteStateAsync();
    }

    public Task<string[]> ListAsync() => Task.FromResult(state.State.Ids.Order(StringComparer.Ordinal).ToArray());
}

/// <summary>The directory grain's stored state.</summary>
[GenerateSerializer, Alias("anc.DeviceDirectoryState")]
public sealed class DeviceDirectoryState
{
    [Id(0)] public HashSet<string> Ids { get; set; } = new(StringComparer.Ordinal);
}
