using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Gateway.Security;

/// <summary>The result of checking a device key: <see cref="Ok"/>, or why not (worded for the device).</summary>
public readonly record struct DeviceAuthResult(bool Ok, string? Reason, TimeSpan? RetryAfter = null, bool Unavailable = false)
{
    public static readonly DeviceAuthResult Success = new(true, null);

    /// <summary>Refused unchecked: the client failed too often (<see cref="AuthThrottle"/>); <see cref="RetryAfter"/> says when to try again.</summary>
    public bool Throttled => RetryAfter is not null;
}

/// <summary>
/// Checks a device's key against its hashed credential (<see cref="IDeviceCredentialGrain"/>), the same for the
/// WebSocket upgrade, the embedded MQTT broker and REST. The key is hashed here, in the gateway: it never goes to a silo.
/// An unknown id and a wrong key get the same answer; only the holder of a revoked key learns it was revoked.
/// </summary>
public sealed class DeviceAuthenticator(IGrainFactory grains, GatewayMetrics metrics, AuthThrottle throttle)
{
    public const string Missing = "no device key: send 'Authorization: Bearer <key>' (browsers: ?access_token=<key>); an admin provisions keys at POST /v1/devices";
    public const string Wrong = "unknown device or wrong key";
    public const string Revoked = "this device's key was revoked";

    /// <summary>
    /// Checks the key. <paramref name="client"/> (the remote address) is throttled on failures (<see cref="AuthThrottle"/>):
    /// a throttled client gets <see cref="DeviceAuthResult.Throttled"/> without a check.
    /// </summary>
    public async Task<DeviceAuthResult> VerifyAsync(string deviceId, string? key, string? client = null)
    {
        if (!throttle.Allows(client, out var reason, out var retryAfter)) return new(false, reason, retryAfter);
        var result = await CheckAsync(deviceId, key);
        if (!result.Ok)
        {
            metrics.AuthRefused.Add(1);
            if (!result.Unavailable) throttle.Failed(client);
        }
        return result;
    }

    private async Task<DeviceAuthResult> CheckAsync(string deviceId, string? key)
    {
        if (string.IsNullOrEmpty(key)) return new(false, Missing);
        // A malformed key or id costs no storage read and no hashing.
        if (!Keys.LooksLikeDeviceKey(key) || !DeviceId.TryParse(deviceId, out _, out _)) return new(false, Wrong);
        DeviceCredential? credential;
        try
        {
            credential = await grains.GetGrain<IDeviceCredentialGrain>(deviceId).GetAsync();
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return new(false, $"credentials unavailable ({e.GetType().Name}); try again", Unavailable: true);
        }
        if (credential is null || !Keys.Matches(key, credential)) return new(false, Wrong);
        return credential.RevokedUtc is null ? DeviceAuthResult.Success : new(false, Revoked);
    }
}
