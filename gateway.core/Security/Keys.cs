using System.Security.Cryptography;
using System.Text;
using AncOrleans.Abstractions;

namespace AncOrleans.Gateway.Security;

/// <summary>
/// Device keys and their hashes. A key is <c>ancd_</c> + 32 random bytes in base64url (43 characters); it is shown
/// once, at provisioning, and stored only as PBKDF2-HMAC-SHA256 with a 16-byte random salt (one iteration for new keys:
/// <see cref="AuthOptions.KeyHashIterations"/>). Comparisons are fixed-time.
/// </summary>
public static class Keys
{
    public const string DevicePrefix = "ancd_";
    private const int KeyBytes = 32;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private static readonly int DeviceKeyLength = DevicePrefix.Length + 43;

    public static string NewDeviceKey() => DevicePrefix + Base64Url(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>A random key for an operator or the development admin key (base64url of 32 bytes, 43 characters).</summary>
    public static string NewAdminKey() => Base64Url(RandomNumberGenerator.GetBytes(KeyBytes));

    public static bool LooksLikeDeviceKey(string? key) =>
        key is not null && key.Length == DeviceKeyLength && key.StartsWith(DevicePrefix, StringComparison.Ordinal)
        && key.AsSpan(DevicePrefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    public static DeviceCredential Hash(string key, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new DeviceCredential(salt, Derive(key, salt, iterations), iterations, DateTime.UtcNow);
    }

    /// <summary>Whether <paramref name="key"/> is the one <paramref name="credential"/> was made from (revoked or not).</summary>
    public static bool Matches(string key, DeviceCredential credential) =>
        CryptographicOperations.FixedTimeEquals(Derive(key, credential.Salt, credential.Iterations), credential.Hash);

    /// <summary>Fixed-time comparison of a presented key with a configured one (null or empty never matches).</summary>
    public static bool Matches(string? presented, string? configured)
    {
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(configured)) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
    }

    private static byte[] Derive(string key, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(key), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
