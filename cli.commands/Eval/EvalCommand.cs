using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;
using AncOrleans.Peers;

namespace AncOrleans.Cli.Eval;

/// <summary><c>anc eval</c>: runs the acoustic bench (or the user's recordings) and prints dB beside the bound.</summary>
public static class EvalCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create() => Create(PeerAvailability.OnThisMachine);

    /// <summary>The command, with the peers' availability given (a test makes a peer unavailable).</summary>
    internal static Command Create(PeerAvailability peers)
    {
        var scenario = new Option<string?>("--scenario") { Description = $"One scenario: {string.Join(", ", Scenarios.Names)}" };
        var delay = new Option<double?>("--delay-ms") { Description = "Loop delay D in ms (default: 10, 20 and 40 for antinoise, 0 for clean)" };
        var algorithm = new Option<string?>("--algorithm") { Description = "nlms | rls | hybrid (default: all three)" };
        var mode = new Option<string?>("--mode") { Description = "antinoise | clean (default: antinoise for one case, both for the full run)" };
        var peer = new Option<string?>("--peer") { Description = "Run a peer instead of ours (clean mode): nwaves-nlms | speexdsp-mdf" };
        var rate = new Option<int>("--sample-rate") { Description = "16000 or 48000", DefaultValueFactory = _ => 48_000 };
        var length = new Option<int>("--filter-length") { Description = "Filter length L", DefaultValueFactory = _ => 512 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of audio per case", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Scenario seed", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "One JSON object per line" };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Write noise.wav and residual.wav per case into this folder" };
        var reference = new Option<FileInfo?>("--reference") { Description = "Your reference-mic recording (WAV)" };
        var error = new Option<FileInfo?>("--error") { Description = "Your error-mic recording without ANC (WAV)" };
        var set = new Option<string[]>("--set") { Description = "Override a canceller setting, e.g. --set NlmsStep=0.01 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var curve = new Option<bool>("--curve") { Description = "Also print the reduction of every 100 ms window (the convergence curve)" };

        var command = new Command("eval", "Measure the cancellers on the acoustic bench, beside the Wiener bound and the peers.")
        {
            scenario, delay, algorithm, mode, peer, rate, length, seconds, seed, json, output, reference, error, curve, set,
        };
        command.SetAction(parse =>
        {
            var options = new EvalOptions(
                parse.GetValue(scenario), parse.GetValue(delay), parse.GetValue(algorithm), parse.GetValue(mode), parse.GetValue(peer),
                parse.GetValue(rate), parse.GetValue(length), parse.GetValue(seconds), parse.GetValue(seed), parse.GetValue(json),
                parse.GetValue(output), parse.GetValue(reference), parse.GetValue(error), parse.GetValue(curve), parse.GetValue(set) ?? []);
            try
            {
                return Execute(options, peers);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"anc eval: {e.Message}");
                return 2;
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"anc eval: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private sealed record EvalOptions(string? Scenario, double? DelayMs, string? Algorithm, string? Mode, string? Peer, int SampleRate,
        int FilterLength, double Seconds, int Seed, bool Json, DirectoryInfo? Out, FileInfo? Reference, FileInfo? Error, bool Curve, string[] Set);

    private static int Execute(EvalOptions o, PeerAvailability peers)
    {
        if (o.SampleRate is not (16_000 or 48_000)) throw new ArgumentException("--sample-rate must be 16000 or 48000.");
        if (o.Seconds is < 1 or > 600) throw new ArgumentException("--seconds must be 1–600.");
        // A peer whose native library is missing is skipped with one line on stderr; ours always run.
        var plan = peers.Runnable(Plan(o, out var recordings), c => c.Peer, Console.Error, "anc eval");
        if (plan.Count == 0) return 1;
        var scenes = new ConcurrentDictionary<(string, int, double), Lazy<AcousticScene>>();
        AcousticScene SceneFor(EvalCase c) => recordings ?? scenes.GetOrAdd((c.Scenario, c.SampleRate, c.Scenario == "broadband-lead" ? c.DelayMs : 0),
            key => new Lazy<AcousticScene>(() => Scenarios.Create(key.Item1, key.Item2, o.Seconds, c.DelayMs, o.Seed))).Value;

        var started = DateTime.UtcNow;
        var results = EvalRunner.RunAll(plan, SceneFor, SettingsOverrides.Apply(new AncSettings(), o.Set), o.Json ? r => Console.Out.WriteLine(ToJson(r)) : null);
        if (o.Out is { } folder) WriteWaves(folder, results);
        if (!o.Json) EvalTable.Print(results, DateTime.UtcNow - started, o.Curve);
        return 0;
    }

    private static List<EvalCase> Plan(EvalOptions o, out AcousticScene? recordings)
    {
        recordings = null;
        var algorithms = o.Algorithm is null ? Enum.GetValues<AdaptiveAlgorithm>() : [ParseAlgorithm(o.Algorithm)];
        if (o.Reference is not null || o.Error is not null)
        {
            if (o.Reference is null || o.Error is null) throw new ArgumentException("--reference and --error go together.");
            var x = WavFile.Read(o.Reference.FullName);
            var d = WavFile.Read(o.Error.FullName);
            if (x.SampleRate != d.SampleRate) throw new ArgumentException($"The recordings' rates differ: {x.SampleRate} and {d.SampleRate} Hz.");
            var n = Math.Min(x.Length, d.Length);
            recordings = Scenarios.FromRecordings(Path.GetFileNameWithoutExtension(o.Error.Name), x.SampleRate, x.Mono()[..n], d.Mono()[..n]);
            var mode = ParseMode(o.Mode ?? "clean");
            var delayMs = o.DelayMs ?? (mode == CancellerMode.Clean ? 0 : 20);
            var name = recordings.Name;
            return algorithms.Select(a => new EvalCase(name, mode, a, delayMs, x.SampleRate, o.FilterLength, null)).ToList();
        }
        if (o.Scenario is null && o.DelayMs is null && o.Algorithm is null && o.Mode is null && o.Peer is null)
            return EvalRunner.DefaultPlan(o.SampleRate, o.FilterLength);

        var scenarios = o.Scenario is null ? Scenarios.Names : [o.Scenario];
        foreach (var s in scenarios)
            if (!Scenarios.Names.Contains(s)) throw new ArgumentException($"Unknown scenario '{s}'. Known: {string.Join(", ", Scenarios.Names)}.");
        if (o.Peer is not null)
        {
            if (!PeerFactory.Names.Contains(o.Peer)) throw new ArgumentException($"Unknown peer '{o.Peer}'. Known: {string.Join(", ", PeerFactory.Names)}.");
            return scenarios.Select(s => new EvalCase(s, CancellerMode.Clean, AdaptiveAlgorithm.Nlms, o.DelayMs ?? 0, o.SampleRate, o.FilterLength, o.Peer)).ToList();
        }
        var modeOne = ParseMode(o.Mode ?? "antinoise");
        var delays = o.DelayMs is { } dm ? [dm] : modeOne == CancellerMode.Clean ? [0.0] : EvalRunner.DefaultDelaysMs;
        return (from s in scenarios from d in delays from a in algorithms
                select new EvalCase(s, modeOne, a, d, o.SampleRate, o.FilterLength, null)).ToList();
    }

    private static AdaptiveAlgorithm ParseAlgorithm(string value) => value switch
    {
        "nlms" => AdaptiveAlgorithm.Nlms,
        "rls" => AdaptiveAlgorithm.Rls,
        "hybrid" => AdaptiveAlgorithm.Hybrid,
        _ => throw new ArgumentException($"--algorithm must be nlms, rls or hybrid, not '{value}'."),
    };

    private static CancellerMode ParseMode(string value) => value switch
    {
        "antinoise" => CancellerMode.AntiNoise,
        "clean" => CancellerMode.Clean,
        _ => throw new ArgumentException($"--mode must be antinoise or clean, not '{value}'."),
    };

    public static string ToJson(EvalResult r) => JsonSerializer.Serialize(new
    {
        scenario = r.Scenario,
        mode = r.Mode,
        algorithm = r.Algorithm,
        delayMs = r.DelayMs,
        sampleRate = r.SampleRate,
        filterLength = r.FilterLength,
        reductionDb = Math.Round(r.ReductionDb, 2),
        boundDb = Math.Round(r.BoundDb, 2),
        convergenceMs = r.ConvergenceMs,
        peer = r.Peer,
        seconds = r.Seconds,
    }, Json);

    private static void WriteWaves(DirectoryInfo folder, IEnumerable<EvalResult> results)
    {
        foreach (var r in results)
        {
            var name = $"{r.Scenario}_{r.Mode}_{r.Peer ?? r.Algorithm}_{r.DelayMs:0.#}ms_{r.SampleRate / 1000}k";
            var dir = Directory.CreateDirectory(Path.Combine(folder.FullName, name));
            WavFile.Write(Path.Combine(dir.FullName, "noise.wav"), r.SampleRate, r.Noise);
            WavFile.Write(Path.Combine(dir.FullName, "residual.wav"), r.SampleRate, r.Residual);
        }
    }
}
