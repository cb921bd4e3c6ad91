using AncOrleans.Gateway;
using AncOrleans.Hosting;

// The gateway: ASP.NET Core co-hosting an Orleans silo. With no configuration it is a whole one-node cluster
// (localhost clustering, in-memory storage and streams) on http://localhost:5080.
// Its appsettings.json lie beside the binary: they apply wherever it is started from (`dotnet /app/AncOrleans.Gateway.dll`,
// a script in the repository's root), and the working directory is the content root only when it holds its own.
var contentRoot = File.Exists("appsettings.json") || args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase)) ? null : AppContext.BaseDirectory;
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot });
builder.AddAncGateway();
var app = builder.Build();
app.MapAncGateway();
await app.RunUntilStoppedAsync();

/// <summary>Entry point, visible to the tests that host the gateway in-process.</summary>
public partial class Program;
