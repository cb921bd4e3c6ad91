using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Where a process allocates, from an EventPipe trace with the runtime's allocation ticks and their stacks
// (`dotnet-trace collect --profile gc-verbose`): each tick stands for ≈ 100 KB allocated, with the type of the object
// that crossed the mark and the stack that allocated it. Prints the bytes (ticks × their amounts) by type, and by the
// allocating site: the first frame outside the runtime's own libraries, with its caller chain. Sampled, so a site
// under a few ticks is noise. For docs/measurements/benchmarks.md ("Twenty-first session").
if (args.Length is < 1 or > 2)
{
    Console.Error.WriteLine("usage: alloc-sites TRACE.nettrace [FRAMES]");
    return 2;
}
var depth = args.Length == 2 ? int.Parse(args[1]) : 6;
using var log = TraceLog.OpenOrConvert(TraceLog.CreateFromEventPipeDataFile(args[0]));
var byType = new Dictionary<string, (long Bytes, int Ticks)>();
var bySite = new Dictionary<string, (long Bytes, int Ticks)>();
long total = 0;
double first = double.NaN, last = 0;
foreach (var e in log.Events)
{
    if (e is not GCAllocationTickTraceData tick) continue;
    if (double.IsNaN(first)) first = e.TimeStampRelativeMSec;
    last = e.TimeStampRelativeMSec;
    var bytes = tick.AllocationAmount64;
    total += bytes;
    Add(byType, $"{tick.TypeName} ({tick.AllocationKind})", bytes);
    Add(bySite, Site(e.CallStack(), depth), bytes);
}
var seconds = (last - first) / 1000;
Console.WriteLine($"{total / 1e6:F1} MB sampled over {seconds:F1} s ({total / 1e6 / Math.Max(seconds, 1e-9):F1} MB/s)");
Console.WriteLine("\nby type:");
foreach (var (name, (bytes, ticks)) in byType.OrderByDescending(kv => kv.Value.Bytes).Take(25))
    Console.WriteLine($"{100.0 * bytes / total,6:F1} %  {bytes / 1e6,8:F1} MB  {ticks,5} ticks  {name}");
Console.WriteLine("\nby site (first frame outside the runtime's libraries ← its callers):");
foreach (var (site, (bytes, ticks)) in bySite.OrderByDescending(kv => kv.Value.Bytes).Take(30))
    Console.WriteLine($"{100.0 * bytes / total,6:F1} %  {bytes / 1e6,8:F1} MB  {ticks,5} ticks  {site}");
return 0;

static void Add(Dictionary<string, (long Bytes, int Ticks)> into, string key, long bytes)
{
    into.TryGetValue(key, out var sum);
    into[key] = (sum.Bytes + bytes, sum.Ticks + 1);
}

// The allocating frame that is ours or a library's (not System.*, Microsoft.Extensions.*), and the frames above it.
static string Site(TraceCallStack? stack, int depth)
{
    var frames = new List<string>();
    for (var s = stack; s is not null; s = s.Caller)
    {
        var name = s.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(name)) name = $"?{s.CodeAddress.ModuleName}";
        frames.Add(name);
    }
    var start = frames.FindIndex(f => !f.StartsWith("System.", StringComparison.Ordinal) && !f.StartsWith('?'));
    if (start < 0) start = 0;
    var from = Math.Max(0, start - 1); // the runtime frame that allocated, for context
    return frames.Count == 0 ? "(no stack)" : string.Join(" ← ", frames.Skip(from).Take(depth).Select(Short));
}

static string Short(string method)
{
    var paren = method.IndexOf('(');
    return paren > 0 ? method[..paren] : method;
}
