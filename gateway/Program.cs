using AncOrleans.Silo;

// The gateway: ASP.NET Core co-hosting an Orleans silo. With no configuration it is a whole one-node cluster.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.UseAncClustering(builder.Configuration).AddAncGrains(builder.Configuration));
var app = builder.Build();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.Run();
