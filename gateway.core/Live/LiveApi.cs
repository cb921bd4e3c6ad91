using System.Reflection;
using AncOrleans.Gateway.Devices;
using AncOrleans.Hosting;
using AncOrleans.Gateway.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Live;

/// <summary>
/// The live page (docs/observability.md, "Live page"): the page itself at <c>/</c> (static files embedded in this
/// assembly, no build step), <c>POST /v1/live/ticket</c> (reader or admin key in the header → a single-use ticket),
/// and the update channel <c>/v1/live?ticket=…</c> (a WebSocket, one per viewer).
/// </summary>
public static class LiveApi
{
    private static readonly Dictionary<string, (string Resource, string ContentType)> Files = new(StringComparer.Ordinal)
    {
        ["/"] = ("index.html", "text/html; charset=utf-8"),
        ["/live.js"] = ("live.js", "text/javascript; charset=utf-8"),
        ["/live.css"] = ("live.css", "text/css; charset=utf-8"),
    };

    public static WebApplicationBuilder AddAncLive(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<LiveOptions, LiveOptionsValidator>(builder.Configuration.GetSection(LiveOptions.Section));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<LiveTickets>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLiveApi(this IEndpointRouteBuilder app)
    {
        foreach (var (path, (resource, contentType)) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(path, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'";
                http.Response.Headers.XContentTypeOptions = "nosniff";
                return TypedResults.Bytes(bytes, contentType);
            }).AllowAnonymous().ExcludeFromDescription();
        }
        app.MapPost("/v1/live/ticket", IssueTicket).RequireAuthorization(AncAuth.Reader);
        app.MapPost("/v1/dashboard/login", DashboardLogin).RequireAuthorization(AncAuth.Admin);
        // Under /dashboard, where the browser sends the cookie (SameSite=Strict: no other site can make it log out).
        app.MapPost(DashboardLogins.Path + "/logout", DashboardLogout).AllowAnonymous();
        app.Map("/v1/live", ConnectAsync).AllowAnonymous();
        return app;
    }

    public sealed record Ticket(string Value, DateTimeOffset Expires);

    private static Results<Ok<Ticket>, ProblemHttpResult> IssueTicket(LiveTickets tickets) =>
        tickets.Issue() is { } issued
            ? TypedResults.Ok(new Ticket(issued.Ticket, issued.Expires))
            : TypedResults.Problem($"too many live tickets outstanding ({LiveTickets.MaxOutstanding}); try again shortly", statusCode: 429);

    /// <summary>An admin (key in the header) gets the dashboard's login cookie: HttpOnly, SameSite=Strict, path /dashboard.</summary>
    private static Results<NoContent, ProblemHttpResult> DashboardLogin(HttpContext http, DashboardLogins logins)
    {
        if (logins.Issue() is not { } login)
            return TypedResults.Problem($"too many dashboard logins ({DashboardLogins.MaxLogins}); try again later", statusCode: 429);
        http.Response.Cookies.Append(DashboardLogins.Cookie, login.Token, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = http.Request.IsHttps, Path = DashboardLogins.Path, Expires = login.Expires,
        });
        return TypedResults.NoContent();
    }

    private static NoContent DashboardLogout(HttpContext http, DashboardLogins logins)
    {
        logins.Revoke(http.Request.Cookies[DashboardLogins.Cookie]);
        http.Response.Cookies.Delete(DashboardLogins.Cookie, new CookieOptions { Path = DashboardLogins.Path });
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ConnectAsync(HttpContext http, LiveTickets tickets, IOptions<LiveOptions> options, IOptions<AuthOptions> auth,
        SessionRegistry registry, IGrainFactory grains, ILoggerFactory loggers)
    {
        if (!http.WebSockets.IsWebSocketRequest)
            return TypedResults.Problem("/v1/live is a WebSocket: open it with ?ticket= from POST /v1/live/ticket", statusCode: 400);
        // A browser sends its Origin: the page's own (same host), or one configured for other front ends.
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameHost(origin, http.Request.Host.Value) && !auth.Value.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase))
            return TypedResults.Problem($"origin '{origin}' may not open the live channel", statusCode: 403);
        if (!tickets.Redeem(http.Request.Query["ticket"]))
            return TypedResults.Problem("no valid ticket: POST /v1/live/ticket with a reader or admin key first (a ticket works once, for a short time)", statusCode: 401);
        if (!tickets.TryEnter(options.Value.MaxViewers))
            return TypedResults.Problem($"too many live viewers ({options.Value.MaxViewers}, Live:MaxViewers)", statusCode: 503);
        try
        {
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            await new LiveFeed(socket, options.Value, registry, grains, loggers.CreateLogger<LiveFeed>()).RunAsync(http.RequestAborted);
        }
        finally
        {
            tickets.Leave();
        }
        return TypedResults.Empty;
    }

    private static bool SameHost(string origin, string? host) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase);

    private static byte[] Read(string name)
    {
        using var stream = typeof(LiveApi).Assembly.GetManifestResourceStream($"AncOrleans.Gateway.Live.wwwroot.{name}")
            ?? throw new InvalidOperationException($"The live page's {name} is not embedded in {typeof(LiveApi).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
