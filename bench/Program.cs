// CPU time per second of 48 kHz audio per stream at L = 512: ours (AncProcessor, antinoise mode, D = 20 ms,
// 10 ms blocks), the cloud's edge canceller (edge mode) and the peers (NWaves NLMS, SpeexDSP MDF) in clean mode, each
// on the broadband, hum and engine-runup scenarios. See docs/measurements/benchmarks.md.
//
//   dotnet run -c Release --project bench                     BenchmarkDotNet, readable tables
//   dotnet run -c Release --project bench -- --json           one JSON object per benchmark and scenario on stdout, log on stderr
//   dotnet run -c Release --project bench -- --quick [--json] Stopwatch smoke run (~2.5 s per case), no BenchmarkDotNet
//   --quick --interleave [--rounds N]  every case built and warmed up round-robin, then N rounds (default 9) of 1 s of
//                     audio each, case after case; medians of thread CPU and wall time: ratios that hold on a shared machine
//   --scenario a,b    the scenarios for the canceller, peer and edge cases (default broadband,hum,engine-runup; any of
//                     acoustics' Scenarios.Names); the recognition cases always run on broadband, the session cases on hum
//   --inprocess       run BenchmarkDotNet in this process (InProcessEmit toolchain) instead of a generated child project
//   --session-memory  the managed heap 100 whole sessions add, by part (one JSON line), and nothing else
//   --pattern-parts   where a session's recognition spends its time, in thread CPU: the pattern detector, its 16 kHz front
//                     end and each analyser alone, the features, the CNN and the feature model (one JSON line)
//   --trace-cost      the frame path's spans (off, 1 %, 100 % sampled) beside the session pipeline's CPU (one JSON line)
//   --launches N      processes per benchmark (default 1; ignored in-process); the mean pools all of them
//   --only a,b        run only the named benchmarks (nlms, rls, hybrid, nwaves-nlms, speexdsp-mdf, classifier, emergency,
//                     recognition = emergency + what the classifier grain does with the windows it forwards (one recognition
//                     pass per session since issue 13; classifier = that hysteresis alone): a session's whole recognition
//                     cost, patterns = the DSP detectors alone,
//                     session, sessions-1, sessions-64, sessions-512: the whole session pipeline on hum, N round-robin,
//                     edge-cloud, edge-cloud-duty-0.25: the cloud's EdgeCanceller per device, converged, duty 1 or 0.25)

using System.Globalization;
using System.Text;
using AncOrleans.Bench;
using AncOrleans.Peers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

if (args.Contains("--pattern-parts"))
{
    PatternParts.Run(Console.Out);
    return 0;
}
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
var interleave = args.Contains("--interleave");
var launches = 1;
int? rounds = null;
var only = StreamWorkload.Names.ToList();
var scenarios = StreamWorkload.DefaultScenarios.ToList();
const string usage = "Usage: [--json] [--quick [--interleave [--rounds N]]] [--inprocess] [--launches N] [--only name,name] [--scenario name,name]";
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--only" && i + 1 < args.Length)
        only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    else if (args[i] == "--scenario" && i + 1 < args.Length)
        scenarios = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()];
    else if (args[i] == "--launches" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 1)
    {
        launches = n;
        i++;
    }
    else if (args[i] == "--rounds" && i + 1 < args.Length && int.TryParse(args[i + 1], out var r) && r >= 1)
    {
        rounds = r;
        i++;
    }
    else if (args[i] is not ("--json" or "--quick" or "--inprocess" or "--interleave"))
    {
        Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. {usage}");
        return 2;
    }
}
if (interleave && !quick || rounds is not null && !interleave)
{
    Console.Error.WriteLine($"--interleave goes with --quick, and --rounds with --interleave. {usage}");
    return 2;
}
var unknown = only.Where(n => !StreamWorkload.Names.Contains(n)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"Unknown benchmark(s) {string.Join(", ", unknown)}. Known: {string.Join(", ", StreamWorkload.Names)}.");
    return 2;
}
var unknownScenarios = scenarios.Where(n => !AncOrleans.Acoustics.Scenes.Scenarios.Names.Contains(n)).ToList();
if (unknownScenarios.Count > 0 || scenarios.Count == 0)
{
    Console.Error.WriteLine($"Unknown scenario(s) '{string.Join(", ", unknownScenarios)}'. Known: {string.Join(", ", AncOrleans.Acoustics.Scenes.Scenarios.Names)}.");
    return 2;
}
// A peer whose native library is missing is skipped with one line on stderr; the other benchmarks run.
only = PeerAvailability.OnThisMachine.Runnable(only, name => StreamWorkload.PeerNames.Contains(name) ? name : null, Console.Error, "bench");
if (only.Count == 0) return 1;

// Every (benchmark, scenario) pair asked for: the per-scenario cases scenario by scenario (ours beside the peers on
// each scene), then the cases with one fixed scene on theirs.
var cases = scenarios
    .SelectMany(scenario => only.Where(StreamWorkload.IsPerScenario).Select(name => (Name: name, Scenario: scenario)))
    .Concat(only.Where(name => !StreamWorkload.IsPerScenario(name)).Select(name => (Name: name, Scenario: StreamWorkload.FixedScenarioOf(name))))
    .ToList();

var results = new List<(string Name, string Scenario, double Ms, double? CpuMs)>();
var failures = new List<string>();

if (quick && interleave)
{
    var n = rounds ?? 9;
    try
    {
        foreach (var result in InterleavedRunner.Run(cases, n))
        {
            Console.Error.WriteLine($"interleaved {result.Name} on {result.Scenario}: median {result.ThreadCpuMsPerAudioSecond:F3} ms of thread CPU ({result.MsPerAudioSecond:F3} ms wall) per audio second over {n} rounds (mean {result.MeanThreadCpuMsPerAudioSecond:F3}, slowest second {result.MaxThreadCpuMsPerAudioSecond:F3}), at most {result.AllocatedBytesPerRound} B allocated in a round");
            results.Add((result.Name, result.Scenario, result.MsPerAudioSecond, result.ThreadCpuMsPerAudioSecond));
        }
    }
    catch (Exception ex)
    {
        failures.Add($"interleaved: {ex.GetType().Name}: {ex.Message}");
    }
}
else if (quick)
{
    foreach (var (name, scenario) in cases)
    {
        try
        {
            var result = QuickRunner.Run(name, scenario);
            Console.Error.WriteLine($"quick {name} on {scenario}: {result.MsPerAudioSecond:F3} ms per audio second (wall), {result.ThreadCpuMsPerAudioSecond:F3} ms thread CPU, {result.ProcessCpuMsPerAudioSecond:F3} ms process CPU, {result.AllocatedBytesPerRound} B allocated per second of audio");
            results.Add((name, scenario, result.MsPerAudioSecond, result.ThreadCpuMsPerAudioSecond));
        }
        catch (Exception ex)
        {
            failures.Add($"{name} on {scenario}: {ex.GetType().Name}: {ex.Message}");
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
    var filter = new CaseFilter(cases);
    var runs = types
        .Select(t => BenchmarkConverter.TypeToBenchmarks(t, config))
        .Select(run => new BenchmarkRunInfo(run.BenchmarksCases.Where(filter.Matches).ToArray(), run.Type, run.Config))
        .ToArray();
    var summaries = BenchmarkRunner.Run(runs);

    var reports = summaries.SelectMany(s => s.Reports).ToList();
    foreach (var (name, scenario) in cases)
    {
        var report = reports.FirstOrDefault(r => CaseFilter.Of(r.BenchmarkCase) == (name, scenario));
        if (report?.ResultStatistics is { } stats && report.Success)
            results.Add((name, scenario, stats.Mean / 1e6, null)); // ns → ms
        else
            failures.Add($"{name} on {scenario}: no result from BenchmarkDotNet (see the log above).");
    }
}

if (json)
{
    foreach (var (name, scenario, ms, cpuMs) in results)
        Console.Out.WriteLine(JsonLine(name, scenario, ms, cpuMs, quick, interleave ? rounds ?? 9 : null));
}
else
{
    Console.WriteLine();
    Console.WriteLine(interleave ? "Quick interleaved results (medians), 48 kHz, L = 512:" : quick ? "Quick (Stopwatch) results, 48 kHz, L = 512:" : "Per stream, 48 kHz, L = 512 (mean of BenchmarkDotNet's measured iterations):");
    Console.WriteLine($"| {"name",-20} | {"scenario",-12} | {"mode",-9} | {"ms / audio s",12} | {"thread CPU ms",13} | {"streams / core",14} |");
    Console.WriteLine($"|{new string('-', 22)}|{new string('-', 14)}|{new string('-', 11)}|{new string('-', 14)}|{new string('-', 15)}|{new string('-', 16)}|");
    foreach (var (name, scenario, ms, cpuMs) in results)
    {
        var cpu = cpuMs is { } c ? c.ToString("F3", CultureInfo.InvariantCulture) : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name,-20} | {scenario,-12} | {StreamWorkload.ModeOf(name),-9} | {ms,12:F3} | {cpu,13} | {1000 / ms,14:F1} |"));
    }
}
Console.Out.Flush();

foreach (var failure in failures) Console.Error.WriteLine($"FAILED {failure}");
return failures.Count == 0 ? 0 : 1;

// One result: what was measured (name, the scene, the mode: antinoise for ours and the session, edge for the cloud's
// edge canceller, clean for the peers, none for recognition alone), wall ms per audio second, and with --quick the
// measuring thread's CPU ms per audio second.
static string JsonLine(string name, string scenario, double ms, double? cpuMs, bool quick, int? interleavedRounds)
{
    var line = new StringBuilder();
    line.Append(CultureInfo.InvariantCulture, $"{{\"name\": \"{name}\", \"scenario\": \"{scenario}\", \"mode\": \"{StreamWorkload.ModeOf(name)}\", \"msPerAudioSecond\": {Math.Round(ms, 4):R}, \"streamsPerCore\": {Math.Round(1000 / ms, 2):R}");
    if (cpuMs is { } cpu) line.Append(CultureInfo.InvariantCulture, $", \"cpuMsPerAudioSecond\": {Math.Round(cpu, 4):R}");
    if (quick) line.Append(", \"quick\": true");
    if (interleavedRounds is { } n) line.Append(CultureInfo.InvariantCulture, $", \"interleavedRounds\": {n}");
    return line.Append('}').ToString();
}

/// <summary>Keeps the benchmark cases whose (Name, Scenario) parameters were asked for.</summary>
internal sealed class CaseFilter(IReadOnlyCollection<(string Name, string Scenario)> cases)
{
    public bool Matches(BenchmarkCase benchmark) => cases.Contains(Of(benchmark));

    public static (string Name, string Scenario) Of(BenchmarkCase benchmark) => (
        benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Name")?.Value as string ?? benchmark.Descriptor.WorkloadMethod.Name,
        benchmark.Parameters.Items.FirstOrDefault(p => p.Name == "Scenario")?.Value as string ?? "");
}
