using System.Security.Claims;
using System.Text.Encodings.Web;
using AncOrleans.Abstractions.Protocol;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Security;

/// <summary>
/// REST authentication: <c>Authorization: Bearer &lt;key&gt;</c> where the key is the admin key (roles admin and
/// reader), the reader key (reader), or — on a route with a <c>{sessionId}</c> — that device's own key (role device,
/// claim <see cref="AncAuth.DeviceClaim"/> = the id). Under <c>/dashboard</c>, a browser's login cookie
/// (<see cref="DashboardLogins"/>) stands for the admin key. Refusals are problem details that say what is missing.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory loggers, UrlEncoder encoder,
    IOptions<AuthOptions> auth, DeviceAuthenticator devices, AuthThrottle throttle, DashboardLogins dashboardLogins) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            // A browser's dashboard login (DashboardLogins): admin, under /dashboard only.
            if (Request.Path.StartsWithSegments(DashboardLogins.Path) && Request.Cookies.TryGetValue(DashboardLogins.Cookie, out var login) && dashboardLogins.IsValid(login))
                return Success(new Claim(ClaimTypes.Role, AncAuth.AdminRole), new Claim(ClaimTypes.Role, AncAuth.ReaderRole));
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.Fail("the Authorization header must be 'Bearer <key>'");
        var key = header["Bearer ".Length..].Trim();
        var options = auth.Value;
        var client = Context.Connection.RemoteIpAddress?.ToString();
        if (!throttle.Allows(client, out var reason, out var retryAfter))
        {
            Context.Items[RetryAfterItem] = retryAfter;
            return AuthenticateResult.Fail(reason!);
        }
        if (Keys.Matches(key, options.AdminKey)) return Success(new Claim(ClaimTypes.Role, AncAuth.AdminRole), new Claim(ClaimTypes.Role, AncAuth.ReaderRole));
        if (Keys.Matches(key, options.ReaderKey)) return Success(new Claim(ClaimTypes.Role, AncAuth.ReaderRole));
        if (Keys.LooksLikeDeviceKey(key))
        {
            if (Context.GetRouteValue("sessionId") is not string id || !DeviceId.TryParse(id, out _, out _))
                return AuthenticateResult.Fail("a device key is accepted only for that device's own session (GET /v1/sessions/{id})");
            var result = await devices.VerifyAsync(id, key, client);
            Context.Items[CountedItem] = true;
            if (result.Throttled) Context.Items[RetryAfterItem] = result.RetryAfter;
            return result.Ok
                ? Success(new Claim(ClaimTypes.Role, AncAuth.DeviceRole), new Claim(AncAuth.DeviceClaim, id))
                : AuthenticateResult.Fail(result.Reason!);
        }
        return AuthenticateResult.Fail("the key is not the admin key, a reader key or a device key");
    }

    private const string RetryAfterItem = "anc:retry-after", CountedItem = "anc:auth-counted";

    private AuthenticateResult Success(params Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name)), Scheme.Name));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        if (Context.Items[RetryAfterItem] is TimeSpan retryAfter)
        {
            Response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(failure, statusCode: 429, title: "Too Many Requests").ExecuteAsync(Context);
            return;
        }
        // A failure counts against the address only where the endpoint needed the key (this challenge), once.
        if (failure is not null && Context.Items[CountedItem] is null) throttle.Failed(Context.Connection.RemoteIpAddress?.ToString());
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(failure ?? "this endpoint needs 'Authorization: Bearer <key>': the admin key, a reader key, or a device's key for its own session",
            statusCode: 401, title: "Unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var roles = string.Join(", ", Context.User.FindAll(ClaimTypes.Role).Select(c => c.Value));
        var device = Context.User.FindFirst(AncAuth.DeviceClaim)?.Value;
        var who = device is null ? $"role {roles}" : $"device '{device}'";
        return Results.Problem($"{who} may not {Request.Method} {Request.Path}", statusCode: 403, title: "Forbidden").ExecuteAsync(Context);
    }
}

/// <summary>Scheme, roles and policies of the REST API (docs/security.md).</summary>
public static class AncAuth
{
    public const string Scheme = "AncKey";
    public const string AdminRole = "admin";
    public const string ReaderRole = "reader";
    public const string DeviceRole = "device";
    public const string DeviceClaim = "anc:device";

    /// <summary>Provisioning, configuring and ending sessions, the cluster view.</summary>
    public const string Admin = "anc-admin";

    /// <summary>Read-only: the session list, any session's stats, the metrics.</summary>
    public const string Reader = "anc-reader";

    /// <summary>A session's stats: a reader, or the device itself.</summary>
    public const string SessionReader = "anc-session-reader";
}
