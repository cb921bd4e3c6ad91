namespace AncOrleans.Abstractions;

/// <summary>A device's shadow (AWS IoT device-shadow semantics): the desired and the reported configuration.</summary>
public interface IDeviceGrain : IGrainWithStringKey
{
    Task<DeviceShadow> UpdateDesiredAsync(string desiredJson);

    Task<DeviceShadow> ReportAsync(string reportedJson);

    Task<DeviceShadow> GetShadowAsync();
}
