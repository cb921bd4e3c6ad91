using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace AncOrleans.Gateway.Security;

/// <summary>
/// Browser logins to the Orleans Dashboard: a browser cannot send <c>Authorization</c> when it navigates to
/// <c>/dashboard</c>, so an admin (key in the header) buys a login at <c>POST /v1/dashboard/login</c> and gets an
/// HttpOnly, SameSite=Strict cookie scoped to <c>/dashboard</c>; the authentication handler accepts it there and
/// nowhere else. Random (32 bytes), held here only (a gateway restart logs everyone out), valid <see cref="Lifetime"/>,
/// at most <see cref="MaxLogins"/> at once (expired ones are swept on issue).
/// </summary>
public sealed class DashboardLogins(TimeProvider clock)
{
    public const string Cookie = "anc-dashboard";
    public const string Path = "/dashboard";
    public const int MaxLogins = 1_000;
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _logins = new(StringComparer.Ordinal);

    /// <summary>A new login and when it expires, or null when too many are held.</summary>
    public (string Token, DateTimeOffset Expires)? Issue()
    {
        var now = clock.GetUtcNow();
        foreach (var (token, expires) in _logins)
            if (expires <= now) _logins.TryRemove(token, out _);
        if (_logins.Count >= MaxLogins) return null;
        var value = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var until = now + Lifetime;
        _logins[value] = until;
        return (value, until);
    }

    public bool IsValid(string? token) =>
        !string.IsNullOrEmpty(token) && _logins.TryGetValue(token, out var expires) && expires > clock.GetUtcNow();

    public void Revoke(string? token)
    {
        if (!string.IsNullOrEmpty(token)) _logins.TryRemove(token, out _);
    }
}
