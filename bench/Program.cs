// CPU time per second of 48 kHz audio per stream at L = 512: ours (AncProcessor, antinoise mode, D = 20 ms,
// 10 ms blocks) and the peers (NWaves NLMS, SpeexDSP MDF) in clean mode. See docs/benchmarks.md.
//
//   dotnet run -c Release --project bench                     BenchmarkDotNet, readable tables
//   dotnet run -c Release --project bench -- --json           one JSON object per benchmark on stdout, log on stderr
//   dotnet run -c Release --project bench -- --quick [--json] Stopwatch smoke run (~2.5 s per benchmark), no BenchmarkDotNet
//   --inprocess       run BenchmarkDotNet in this process (InProcessEmit toolchain) instead of a generated child project
//   --session-memory  the managed heap 100 whole sessions add, by part (one JSON line), and nothing else
//   --trace-cost      the frame path's spans (off, 1 %, 100 % sampled) beside the session pipeline's CPU (one JSON line)
//   --launches N      processes per benchmark (default 1; ignored in-process); the mean pools all of them
//   --only a,b        run only the named benchmarks (nlms, rls, hybrid, nwaves-nlms, speexdsp-mdf, classifier, emergency,
//                     recognition = classifier + emergency: a session's whole recognition cost, patterns = the DSP detectors alone,
//                     session, sessions-1, sessions-64, sessions-512: the whole session pipeline on hum, N round-robin,
//                     edge-cloud, edge-cloud-duty-0.25: the cloud's EdgeCanceller per device, converged, duty 1 or 0.25)

using System.Globalization;
using System.Text;
using AncOrleans.Bench;
using AncOrleans.Peers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

if (args.Contains("--trace-cost"))
{
    TraceCost.Run(Console.Out);
    return 0;
}
if (args.Contains("--session-memory"))
{
    SessionWorkload.PrintMemoryPerSession(Console.Out);
    return 0;
}
var json = args.Contains("--json");
var quick = args.Contains("--quick");
var inProcess = args.Contains("--inprocess");
var launches = 1;
var only = StreamWorkload.Names.ToList();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--only" && i + 1 < args.Length)
        only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    else if (args[i] == "--launches" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 1)
    {
        launches = n;
        i++;
    }
    else if (args[i] is not ("--json" or "--quick" or "--inprocess"))
    {
        Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: [--json] [--quick] [--inprocess] [--launches N] [--only name,name]");
        return 2;
    }
}
var unknown = only.Where(n => !StreamWorkload.Names.Contains(n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown benchmark(s) {string.Join(", ", unknown)}. Known: {string.Join(", ", StreamWorkload.Names)}.");
    return 2;
}
// A peer whose native library is missing is skipped with one line on stderr; the other benchmarks run.
only = PeerAvailability.OnThisMachine.Runnable(only, name => StreamWorkload.PeerNames.Contains(name) ? name : null, Console.Error, "bench");
if (only.Count == 0) return 1;

var results = new List<(string Name, double Ms)>();
var failures = new List<string>();

if (quick)
{
    foreach (var name in only)
    {
        try
        {
            var result = QuickRunner.Run(name);
            Console.Error.WriteLine($"quick {name}: {result.MsPerAudioSecond:F3} ms per audio second (wall), {result.CpuMsPerAudioSecond:F3} ms process CPU, {result.AllocatedBytesPerRound} B allocated per second of audio");
            results.Add((name, result.MsPerAudioSecond));
        }
        catch (Exception ex)
        {
            failures.Add($"{name}: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
else
{
    var config = BenchConfig.Create(machineReadable: json, inProcess, inProcess ? 1 : launches);
    var types = new List<Type>();
    if (only.Any(StreamWorkload.OurNames.Contains)) types.Add(typeof(OursBenchmarks));
    if (only.Any(StreamWorkload.PeerNames.Contains)) types.Add(typeof(PeerBenchmarks));
    if (only.Any(StreamWorkload.RecognitionNames.Contains)) types.Add(typeof(ClassifierBenchmarks));
    if (only.Any(SessionWorkload.IsSession)) types.Add(typeof(SessionBenchmarks));
    if (only.Any(EdgeWorkload.IsEdge)) types.Add(typeof(EdgeBenchmarks));
    var filter = new NameFilter(only);
    var cases = types
        .Select(t => BenchmarkConverter.TypeToBenchmarks(t, config))
        .Select(run => new BenchmarkRunInfo(run.BenchmarksCases.Where(filter.Matches).ToArray(), run.Type, run.Config))
        .ToArray();
    var summaries = BenchmarkRunner.Run(cases);

    var reports = summaries.SelectMany(s => s.Reports).ToList();
    foreach (var name in only)
    {
        var report = reports.FirstOrDefault(r => NameFilter.NameOf(r.BenchmarkCase) == name);
        if (report?.ResultStatistics is { } stats && report.Success)
            results.Add((name, stats.Mean / 1e6)); // ns → ms
        else
            failures.Add($"{name}: no result from BenchmarkDotNet (see the log above).");
    }
}

if (json)
{
    foreach (var (name, ms) in results)
        Console.Out.WriteLine(JsonLine(name, ms, quick));
}
else
{
    Console.WriteLine();
    Console.WriteLine(quick ? "Quick (Stopwatch) results, 48 kHz, L = 512:" : "Per stream, 48 kHz, L = 512 (mean of BenchmarkDotNet's measured iterations):");
    Console.WriteLine($"| {"name",-13} | {"ms CPU / audio s",16} | {"streams / core",14} |");
    Console.WriteLine($"|{new string('-', 15)}|{new string('-', 18)}|{new string('-', 16)}|");
    foreach (var (name, ms) in results)
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name,-13} | {ms,16:F3} | {1000 / ms,14:F1} |"));
}
Console.Out.Flush();

foreach (var failure in failures) Console.Error.WriteLine($"FAILED {failure}");
return failures.Count == 0 ? 0 : 1;

static string JsonLine(string name, double ms, bool quick)
{
    var line = new StringBuilder();
    line.Append(CultureInfo.InvariantCulture, $"{{\"name\": \"{name}\", \"msPerAudioSecond\": {Math.Round(ms, 4):R}, \"streamsPerCore\": {Math.Round(1000 / ms, 2):R}");
    // What was measured: the scene, and the mode (ours: antinoise; the peers: clean; the classifier: none).
    var session = SessionWorkload.IsSession(name);
    var mode = EdgeWorkload.IsEdge(name) ? "edge" : session || StreamWorkload.OurNames.Contains(name) ? "antinoise" : StreamWorkload.PeerNames.Contains(name) ? "clean" : "none";
    line.Append(CultureInfo.InvariantCulture, $", \"scenario\": \"{(session ? SessionWorkload.SessionScenario : StreamWorkload.Scenario)}\", \"mode\": \"{mode}\"");
    if (quick) line.Append(", \"quick\": true");
    return line.Append('}').ToString();
}

/// <summary>Keeps the benchmark cases whose Name parameter was asked for.</summary>
internal sealed class NameFilter(IReadOnlyCollection<string> names)
{
    public bool Matches(BenchmarkCase benchmark) => names.Contains(NameOf(benchmark));

    public static string NameOf(BenchmarkCase benchmark) =>
        benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Name")?.Value as string ?? benchmark.Descriptor.WorkloadMethod.Name;
}
