using AncOrleans.Gateway;
using AncOrleans.Hosting;

// The gateway: ASP.NET Core co-hosting an Orleans silo. With no configuration it is a whole one-node cluster
// (localhost clustering, in-memory storage and streams) on http://localhost:5080.
var builder = WebApplication.CreateBuilder(args);
builder.AddAncGateway();
var app = builder.Build();
app.MapAncGateway();
await app.RunUntilStoppedAsync();

/// <summary>Entry point, visible to the tests that host the gateway in-process.</summary>
public partial class Program;
