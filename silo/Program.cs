using AncOrleans.Hosting;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Hosting;

// A worker silo: hosts session grains and joins the gateway's cluster. Its defaults (below every other
// configuration source) let it run beside a local gateway: silo port 11112, gateway port 30001, primary 11111.
var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = OrleansOptions.WorkerDefaults });
builder.UseOrleans(silo => silo.UseAncClustering(builder.Configuration).AddAncGrains(builder.Configuration));
builder.Services.AddAncTracing(builder.Configuration, "anc-silo");
await builder.Build().RunUntilStoppedAsync();
