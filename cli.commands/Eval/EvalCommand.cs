using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;
using AncOrleans.Peers;
using AncOrleans.Cli.Progress;

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
        var mode = new Option<string?>("--mode") { Description = "antinoise | clean | edge (default: antinoise for one case, all three for the full run; edge for --noise)" };
        var update = new Option<double>("--update-ms") { Description = "Edge mode: a coefficient set at most every U ms (it reaches the device D + U late at worst)", DefaultValueFactory = _ => 100 };
        var noise = new Option<FileInfo[]>("--noise") { Description = "A recording of a noise (WAV, mono or stereo) to run through the bench's paths as a scene (repeatable)", AllowMultipleArgumentsPerToken = false };
        var lead = new Option<double>("--lead-ms") { Description = "With --noise: how far the reference mic leads the ear acoustically", DefaultValueFactory = _ => Scenarios.DefaultLeadMs };
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
        var plot = new Option<FileInfo?>("--plot") { Description = "Write an HTML page (self-contained SVG) of each case's reduction over time and its spectra before and after" };

        var command = new Command("eval", "Measure the cancellers on the acoustic bench, beside the Wiener bound and the peers.")
        {
            scenario, delay, algorithm, mode, peer, rate, length, seconds, seed, json, output, reference, error, curve, set, update, noise, lead, plot,
        };
        command.SetAction(parse =>
        {
            var options = new EvalOptions(
                parse.GetValue(scenario), parse.GetValue(delay), parse.GetValue(algorithm), parse.GetValue(mode), parse.GetValue(peer),
                parse.GetValue(rate), parse.GetValue(length), parse.GetValue(seconds), parse.GetValue(seed), parse.GetValue(json),
                parse.GetValue(output), parse.GetValue(reference), parse.GetValue(error), parse.GetValue(curve), parse.GetValue(set) ?? [],
                parse.GetValue(update), parse.GetValue(noise) ?? [], parse.GetValue(lead), parse.GetValue(plot));
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
        int FilterLength, double Seconds, int Seed, bool Json, DirectoryInfo? Out, FileInfo? Reference, FileInfo? Error, bool Curve, string[] Set,
        double UpdateMs, FileInfo[] Noise, double LeadMs, FileInfo? Plot = null);

    private static int Execute(EvalOptions o, PeerAvailability peers)
    {
        if (o.SampleRate is not (16_000 or 48_000)) throw new ArgumentException("--sample-rate must be 16000 or 48000.");
        if (o.Seconds is < 1 or > 600) throw new ArgumentException("--seconds must be 1–600.");
        if (o.UpdateMs is < 1 or > 60_000) throw new ArgumentException("--update-ms must be 1–60000.");
        // A peer whose native library is missing is skipped with one line on stderr; ours always run.
        var plan = peers.Runnable(Plan(o, out var recordings), c => c.Peer, Console.Error, "anc eval");
        if (plan.Count == 0) return 1;
        var noiseScenes = NoiseScenes(o);
        foreach (var c in plan)
            if (NoiseRecordings.Names.Contains(c.Scenario) && !noiseScenes.ContainsKey(c.Scenario) && !Scenarios.Names.Contains(c.Scenario))
                noiseScenes[c.Scenario] = NoiseRecordings.Scene(c.Scenario, o.Seconds, o.LeadMs, o.Seed);
        var scenes = new ConcurrentDictionary<(string, int, double), Lazy<AcousticScene>>();
        AcousticScene SceneFor(EvalCase c) => recordings ?? (noiseScenes.TryGetValue(c.Scenario, out var fromNoise) ? fromNoise : scenes.GetOrAdd((c.Scenario, c.SampleRate, c.Scenario == "broadband-lead" ? c.DelayMs : 0),
            key => new Lazy<AcousticScene>(() => Scenarios.Create(key.Item1, key.Item2, o.Seconds, c.DelayMs, o.Seed))).Value);

        var started = DateTime.UtcNow;
        var edgeSettings = SettingsOverrides.ApplyEdge(new EdgeSettings(), o.Mode == "edge" ? o.Set : []);
        var settings = SettingsOverrides.Apply(new AncSettings(), o.Mode == "edge" ? [] : o.Set);
        // A bar on a terminal only (never with --json, never when piped): one step per case.
        var results = CliProgress.Run(CliProgress.Shown(o.Json), "anc eval", plan.Count, step => EvalRunner.RunAll(plan, SceneFor, settings, r =>
        {
            if (o.Json) Console.Out.WriteLine(ToJson(r));
            step();
        }, edgeSettings));
        if (o.Out is { } folder) WriteWaves(folder, results);
        if (o.Plot is { } page)
        {
            EvalPlot.Write(page.FullName, results);
            Console.Error.WriteLine($"anc eval: plot written to {page.FullName}");
        }
        if (!o.Json) EvalTable.Print(results, DateTime.UtcNow - started, o.Curve);
        return 0;
    }

    /// <summary>--noise: one scene per recording, named after its file, at the recording's own rate, cut to --seconds.</summary>
    private static Dictionary<string, AcousticScene> NoiseScenes(EvalOptions o)
    {
        var scenes = new Dictionary<string, AcousticScene>();
        foreach (var file in o.Noise)
        {
            var wav = WavFile.Read(file.FullName);
            var samples = wav.Mono();
            var take = (int)Math.Min(samples.Length, Math.Round(o.Seconds * wav.SampleRate));
            var name = Path.GetFileNameWithoutExtension(file.Name);
            scenes[name] = Scenarios.FromNoise(name, wav.SampleRate, samples[..take], o.LeadMs, o.Seed);
        }
        return scenes;
    }

    private static List<EvalCase> Plan(EvalOptions o, out AcousticScene? recordings)
    {
        recordings = null;
        var algorithms = o.Algorithm is null ? Enum.GetValues<AdaptiveAlgorithm>() : [ParseAlgorithm(o.Algorithm)];
        if (o.Noise.Length > 0)
        {
            if (o.Reference is not null || o.Error is not null || o.Scenario is not null) throw new ArgumentException("--noise replaces --scenario and --reference/--error.");
            var noiseMode = ParseMode(o.Mode ?? "edge");
            var rates = o.Noise.Select(f => (Path.GetFileNameWithoutExtension(f.Name), WavFile.Read(f.FullName).SampleRate)).ToList();
            return noiseMode switch
            {
                CancellerMode.Edge => (from r in rates from d in o.DelayMs is { } e ? [e] : EvalRunner.EdgeDelaysMs
                                       select new EvalCase(r.Item1, CancellerMode.Edge, AdaptiveAlgorithm.Nlms, d, r.SampleRate, o.FilterLength, null, o.UpdateMs)).ToList(),
                CancellerMode.Clean => (from r in rates from a in algorithms
                                        select new EvalCase(r.Item1, CancellerMode.Clean, a, o.DelayMs ?? 0, r.SampleRate, o.FilterLength, null)).ToList(),
                _ => (from r in rates from d in o.DelayMs is { } e ? [e] : EvalRunner.DefaultDelaysMs from a in algorithms
                      select new EvalCase(r.Item1, CancellerMode.AntiNoise, a, d, r.SampleRate, o.FilterLength, null)).ToList(),
            };
        }
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
            if (mode == CancellerMode.Edge) return [new EvalCase(name, mode, AdaptiveAlgorithm.Nlms, o.DelayMs ?? 40, x.SampleRate, o.FilterLength, null, o.UpdateMs)];
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
        var delays = o.DelayMs is { } dm ? [dm] : modeOne == CancellerMode.Clean ? [0.0] : modeOne == CancellerMode.Edge ? EvalRunner.EdgeDelaysMs : EvalRunner.DefaultDelaysMs;
        if (modeOne == CancellerMode.Edge)
            return (from s in scenarios from d in delays select new EvalCase(s, modeOne, AdaptiveAlgorithm.Nlms, d, o.SampleRate, o.FilterLength, null, o.UpdateMs)).ToList();
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
        "edge" => CancellerMode.Edge,
        _ => throw new ArgumentException($"--mode must be antinoise, clean or edge, not '{value}'."),
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
        updateMs = r.UpdateMs,
    }, Json);

    private static void WriteWaves(DirectoryInfo folder, IEnumerable<EvalResult> results)
    {
        foreach (var r in results)
        {
            var name = $"{r.Scenario}_{r.Mode}_{r.Peer ?? r.Algorithm}_{r.DelayMs:0.#}ms_{r.SampleRate / 1000}k" + (r.UpdateMs is { } u ? $"_u{u:0.#}ms" : "");
            var dir = Directory.CreateDirectory(Path.Combine(folder.FullName, name));
            WavFile.Write(Path.Combine(dir.FullName, "noise.wav"), r.SampleRate, r.Noise);
            WavFile.Write(Path.Combine(dir.FullName, "residual.wav"), r.SampleRate, r.Residual);
        }
    }
}
