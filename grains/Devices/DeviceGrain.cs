using AncOrleans.Abstractions;

namespace AncOrleans.Grains.Devices;

/// <summary>Keeps a device's shadow, persisted like the session checkpoints.</summary>
internal sealed class DeviceGrain([PersistentState("shadow", StorageNames.Sessions)] IPersistentState<DeviceShadow> shadow) : Grain, IDeviceGrain
{
    private DeviceShadow Current => shadow.RecordExists ? shadow.State : new DeviceShadow("{}", "{}", 0);

    public async Task<DeviceShadow> UpdateDesiredAsync(string desiredJson)
    {
        shadow.State = Current with { Desired = desiredJson, Version = Current.Version + 1 };
        await shadow.WriteStateAsync();
        return shadow.State;
    }

    public async Task<DeviceShadow> ReportAsync(string reportedJson)
    {
        shadow.State = Current with { Reported = reportedJson, Version = Current.Version + 1 };
        await shadow.WriteStateAsync();
        return shadow.State;
    }

    public Task<DeviceShadow> GetShadowAsync() => Task.FromResult(Current);
}
