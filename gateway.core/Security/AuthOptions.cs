namespace AncOrleans.Gateway.Security;

/// <summary>
/// Section <c>Auth</c> (docs/security.md). <c>Mode</c> is <c>development</c> or <c>production</c>; unset, it follows the
/// host environment (<c>dotnet run --project gateway</c> runs as Development through its launch profile, a published
/// gateway as Production). A production gateway refuses to start without <see cref="AdminKey"/>; a development one
/// without it generates one in <see cref="DevelopmentKeyFile"/> (reused, readable by the user alone) and prints it.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";
    public const string Development = "development";
    public const string Production = "production";

    /// <summary>Shortest admin or reader key accepted: 32 characters (a random key of 192 bits or more).</summary>
    public const int MinKeyLength = 32;

    public string? Mode { get; set; }

    /// <summary>
    /// The admin role's key (<c>Authorization: Bearer &lt;key&gt;</c>): device provisioning, configuring and ending
    /// sessions, the cluster view. Also reads everything a reader may.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>The read-only role's key (optional): <c>GET /v1/sessions</c>, any session's stats, <c>/metrics</c>.</summary>
    public string? ReaderKey { get; set; }

    /// <summary>
    /// Origins a browser may open a device WebSocket from (e.g. <c>https://app.example.com</c>). An upgrade that carries
    /// an <c>Origin</c> header not listed is refused; devices (no <c>Origin</c>) are unaffected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    /// <summary>Where a development gateway keeps its generated admin key (default: the per-user file <c>anc sim</c> reads).</summary>
    public string? DevelopmentKeyFile { get; set; }

    /// <summary>
    /// PBKDF2-HMAC-SHA256 iterations for new device keys (existing ones keep theirs). One: a device key is 256 random
    /// bits the gateway generated, never a password a person chose, so stretching adds no strength against a stolen
    /// hash (guessing 2²⁵⁶ keys stays out of reach at any cost per guess) and only cost: at 10 000 iterations each
    /// connection spent 2.3 ms of CPU on it, and a reconnect storm of 1,000 devices 2.3 s (docs/security.md).
    /// </summary>
    public int KeyHashIterations { get; set; } = 1;

    /// <summary>Failed authentications a client address may make per minute before it is refused at once (<see cref="AuthThrottle"/>).</summary>
    public int MaxFailuresPerMinute { get; set; } = 30;

    /// <summary>Set when this gateway generated or loaded the development key from the file (for the start-up message).</summary>
    internal string? DevelopmentKeySource { get; set; }

    public bool IsDevelopment => string.Equals(Mode, Development, StringComparison.OrdinalIgnoreCase);
}
