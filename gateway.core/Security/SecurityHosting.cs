using AncOrleans.Abstractions.Protocol;
using AncOrleans.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Security;

/// <summary>Identity, roles and connection limits (docs/security.md).</summary>
public static class SecurityHosting
{
    public static WebApplicationBuilder AddAncSecurity(this WebApplicationBuilder builder)
    {
        var environment = builder.Environment;
        builder.Services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(builder.Configuration.GetSection(AuthOptions.Section))
            .PostConfigure(options =>
            {
                options.Mode = string.IsNullOrWhiteSpace(options.Mode)
                    ? environment.IsDevelopment() ? AuthOptions.Development : AuthOptions.Production
                    : options.Mode.Trim().ToLowerInvariant();
                if (options.IsDevelopment && string.IsNullOrEmpty(options.AdminKey)) LoadOrCreateDevelopmentKey(options);
            });
        builder.Services.AddSingleton<DeviceAuthenticator>();
        builder.Services.AddSingleton<AuthThrottle>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DashboardLogins>();
        builder.Services.AddHostedService<DevelopmentKeyNotice>();
        builder.Services.AddAuthentication(AncAuth.Scheme).AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AncAuth.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AncAuth.Admin, policy => policy.RequireRole(AncAuth.AdminRole))
            .AddPolicy(AncAuth.Reader, policy => policy.RequireRole(AncAuth.AdminRole, AncAuth.ReaderRole))
            .AddPolicy(AncAuth.SessionReader, policy => policy.RequireAssertion(IsReaderOrTheDevice));
        // Kestrel's connection limits from the Gateway section (after Kestrel's own section is bound). Read unvalidated:
        // Kestrel is configured while the host is built, and a bad value must stop it at start with the validator's
        // message (GatewayOptionsValidator), so out-of-range values are left at Kestrel's defaults here.
        var configuration = builder.Configuration.GetSection(GatewayOptions.Section);
        builder.Services.AddOptions<KestrelServerOptions>().Configure(kestrel =>
        {
            var limits = configuration.Get<GatewayOptions>() ?? new GatewayOptions();
            if (limits.RequestHeadersTimeoutSeconds is >= 1 and <= 300) kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.RequestHeadersTimeoutSeconds);
            if (limits.KeepAliveTimeoutSeconds is >= 1 and <= 3600) kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
            if (limits.MaxConnections is >= 1 and <= 1_000_000)
            {
                kestrel.Limits.MaxConcurrentConnections = limits.MaxConnections;
                kestrel.Limits.MaxConcurrentUpgradedConnections = limits.MaxConnections;
            }
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.Limits.MaxRequestBodySize = 1024 * 1024;
        });
        // The request log line carries the query string, and with it a browser's ?access_token=: never logged.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        return builder;
    }

    private static bool IsReaderOrTheDevice(AuthorizationHandlerContext context) =>
        context.User.IsInRole(AncAuth.AdminRole) || context.User.IsInRole(AncAuth.ReaderRole)
        || context.Resource is HttpContext http && http.GetRouteValue("sessionId") is string id && context.User.HasClaim(AncAuth.DeviceClaim, id);

    /// <summary>Development only: the key in the per-user file, or a new one written there (mode 600).</summary>
    private static void LoadOrCreateDevelopmentKey(AuthOptions options)
    {
        var path = string.IsNullOrWhiteSpace(options.DevelopmentKeyFile) ? DevelopmentAdminKey.DefaultPath : options.DevelopmentKeyFile;
        var existing = DevelopmentAdminKey.TryRead(path);
        if (existing is { Length: >= AuthOptions.MinKeyLength })
        {
            options.AdminKey = existing;
            options.DevelopmentKeySource = path;
            return;
        }
        var key = Keys.NewAdminKey();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, key + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        options.AdminKey = key;
        options.DevelopmentKeySource = path;
    }

    /// <summary>Prints the development admin key at start-up, so <c>curl -H "Authorization: Bearer …"</c> works at once.</summary>
    private sealed class DevelopmentKeyNotice(IOptions<AuthOptions> options, ILogger<DevelopmentKeyNotice> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var auth = options.Value;
            if (auth.IsDevelopment && auth.DevelopmentKeySource is null)
                logger.LogWarning("Auth:Mode=development with the configured admin key. Never use development mode on a network you do not trust.");
            else if (auth.IsDevelopment)
                logger.LogWarning("Auth:Mode=development. Admin key (kept in {Source}, generated on first use): {Key} — for REST send 'Authorization: Bearer <key>'; anc sim reads it from the file. "
                                  + "Never use development mode on a network you do not trust.", auth.DevelopmentKeySource, auth.AdminKey);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
