namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// The local default's admin key: a gateway in development mode without <c>Auth:AdminKey</c> generates one (once, then
/// reuses it) in this per-user file, readable by the user alone, and <c>anc sim</c> reads it when neither
/// <c>--admin-key</c> nor <c>ANC_ADMIN_KEY</c> is given. A production gateway never writes or reads it.
/// </summary>
public static class DevelopmentAdminKey
{
    /// <summary>Environment variable naming the admin key for the command-line tools.</summary>
    public const string EnvironmentVariable = "ANC_ADMIN_KEY";

    /// <summary><c>~/.local/share/anc-orleans/dev-admin-key</c> on Linux (the local application-data folder).</summary>
    public static string DefaultPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "anc-orleans", "dev-admin-key");

    /// <summary>The key in the file, or null when there is none.</summary>
    public static string? TryRead(string? path = null)
    {
        path ??= DefaultPath;
        if (!File.Exists(path)) return null;
        var key = File.ReadAllText(path).Trim();
        return key.Length == 0 ? null : key;
    }

    /// <summary>The admin key for a tool: the explicit one, else <see cref="EnvironmentVariable"/>, else the development file.</summary>
    public static string? Resolve(string? explicitKey) =>
        !string.IsNullOrWhiteSpace(explicitKey) ? explicitKey
        : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment
        : TryRead();
}
