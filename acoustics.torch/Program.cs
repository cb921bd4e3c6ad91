using System.Diagnostics;
using System.Globalization;
using System.Text;
using AncOrleans.Acoustics.Torch;
using AncOrleans.Acoustics.Training;
using AncOrleans.Cli.Classify;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

// anc-train-cnn: trains the log-mel CNN (docs/classifier.md) on UrbanSound8K folds (never fold 10) and the generator;
// --cv: leave-one-fold-out on those folds, the CNN against LightGBM on the 232 features and their blend;
// --out: the weights file for dsp/Classification/LogMelCnn.cs.
var options = new Dictionary<string, string>();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal)) { Console.Error.WriteLine($"anc-train-cnn: unexpected '{args[i]}'"); return 2; }
    options[args[i][2..]] = args[i + 1];
}
string Get(string name, string fallback) => options.GetValueOrDefault(name, fallback);
if (options.TryGetValue("analyse", out var dumped))
{
    Console.WriteLine(FusionAnalysis.Run(dumped, [.. Get("blends", "1,0.9,0.8,0.7,0.6,0.5,0.4,0.3,0.2,0.1,0").Split(',').Select(b => float.Parse(b, CultureInfo.InvariantCulture))]));
    return 0;
}
if (!options.ContainsKey("us8k"))
{
    Console.Error.WriteLine("usage: anc-train-cnn --us8k DIR [--folds 1,2,3] [--cv true] [--configs \"12,24,48x30;…\"] [--out m.cnn] [--blend 1] [--lightgbm-out m.zip] [--lightgbm-rounds 0] [--augment 2] [--clips 10] [--hard-negatives 0] [--hard-positives 0] [--hard-positive-kinds a,b] [--shift 0] [--mixup 0] [--chimes 0] [--dump oof.json] [--report file.md] [--threads 1]\n       anc-train-cnn --analyse oof.json [--blends 1,0.5,0]");
    return 2;
}
var folds = Get("folds", "1,2,3").Split(',').Select(int.Parse).ToList();
if (folds.Contains(UrbanSound8K.HeldOutFold)) { Console.Error.WriteLine("anc-train-cnn: fold 10 is the held-out test: never train or tune on it."); return 2; }
var crossValidate = bool.Parse(Get("cv", "false"));
var output = options.GetValueOrDefault("out");
var seed = int.Parse(Get("seed", "1"), CultureInfo.InvariantCulture);
// --configs "12,24,48x20;16,32,64x30x2x0.5": several networks (channels x epochs [x band shift x mixup share]) compared in one cross-validation
var configs = Get("configs", $"{Get("channels", "12,24,48")}x{Get("epochs", "30")}").Split(';').Select(c =>
{
    var parts = c.Split('x');
    return new CnnTrainer.Settings(parts[0].Split(',').Select(int.Parse).ToArray(), int.Parse(parts[1], CultureInfo.InvariantCulture),
        64, double.Parse(Get("lr", "0.003"), CultureInfo.InvariantCulture), 1e-3, 0.3, seed,
        int.Parse(parts.Length > 2 ? parts[2] : Get("shift", "0"), CultureInfo.InvariantCulture),
        double.Parse(parts.Length > 3 ? parts[3] : Get("mixup", "0"), CultureInfo.InvariantCulture));
}).ToList();
var settings = configs[0];
var lightGbmRounds = int.Parse(Get("lightgbm-rounds", "0"), CultureInfo.InvariantCulture);
var blend = float.Parse(Get("blend", "1"), CultureInfo.InvariantCulture);
TorchSharp.torch.set_num_threads(int.Parse(Get("threads", "1"), CultureInfo.InvariantCulture));

var watch = Stopwatch.StartNew();
void Log(string text) => Console.Error.WriteLine($"[{watch.Elapsed.TotalSeconds,5:0} s] {text}");
var labels = NoiseTaxonomy.Labels;
var clips = UrbanSound8K.Scan(Get("us8k", ""), folds);
if (options.TryGetValue("limit", out var limit)) clips = clips.Where((_, i) => i % Math.Max(1, clips.Count / int.Parse(limit, CultureInfo.InvariantCulture)) == 0).ToList(); // a smoke run
Log($"{clips.Count} clips in folds {string.Join(",", folds)}; log-mel, features and detector traces (+{Get("augment", "2")} augmented copies each)…");
var (sequences, traces) = CnnData.Build(clips, labels, int.Parse(Get("augment", "2"), CultureInfo.InvariantCulture), int.Parse(Get("clips", "10"), CultureInfo.InvariantCulture), seed, Log,
    int.Parse(Get("hard-negatives", "0"), CultureInfo.InvariantCulture), int.Parse(Get("hard-positives", "0"), CultureInfo.InvariantCulture),
    options.GetValueOrDefault("hard-positive-kinds")?.Split(','), int.Parse(Get("chimes", "0"), CultureInfo.InvariantCulture));
Log($"{sequences.Count} sequences, {sequences.Sum(s => s.LogMel.Count)} windows; {configs.Count} network(s)");
var report = new StringBuilder();

var lgbm = new List<float[]>[clips.Count];
foreach (var config in crossValidate ? configs : [])
{
    var cnn = new List<float[]>[clips.Count];
    foreach (var fold in folds)
    {
        var train = sequences.Where(s => s.Fold != fold).ToList();
        Log($"fold {fold}: training the CNN on {train.Count} sequences…");
        var net = CnnTrainer.Train(train, labels.Count, config, Log);
        var held = Enumerable.Range(0, clips.Count).Where(i => clips[i].Fold == fold).ToList();
        var predicted = CnnTrainer.Predict(net, held.Select(i => traces[i].LogMel).ToList());
        for (var k = 0; k < held.Count; k++) cnn[held[k]] = predicted[k];
        if (lightGbmRounds > 0 && lgbm[held[0]] is null)
        {
            Log($"fold {fold}: LightGBM ({lightGbmRounds} rounds)…");
            var rows = train.SelectMany(s => s.Features.Where((_, w) => s.Keep[w]).Select(f => new LabelledFeatures(labels[s.Label], f))).ToList();
            var model = NoiseClassifierTrainer.Train(rows, seed, NoiseClassifierTrainer.Trainer.LightGbm, lightGbmRounds);
            var map = labels.Select(l => model.Labels.ToList().IndexOf(l)).ToArray();
            foreach (var i in held)
                lgbm[i] = traces[i].Windows.Select(f =>
                {
                    var p = model.Predict(f);
                    return map.Select(j => j >= 0 ? p[j] : 0f).ToArray();
                }).ToList();
        }
        Log($"fold {fold} done");
    }
    var candidates = new List<(string Name, List<float[]>[] Probabilities)> { ($"CNN {string.Join("/", config.Channels)} × {config.Epochs} epochs, shift {config.Shift}, mixup {config.Mixup}", cnn) };
    if (lightGbmRounds > 0)
    {
        if (config == configs[0]) candidates.Add(("LightGBM", lgbm));
        foreach (var b in new[] { 0.3f, 0.5f, 0.7f })
            candidates.Add(($"blend {b:0.0} CNN + {1 - b:0.0} LightGBM", cnn.Select((c, i) => c.Select((p, w) => p.Select((v, k) => b * v + (1 - b) * lgbm[i][w][k]).ToArray()).ToList()).ToArray()));
    }
    if (options.GetValueOrDefault("dump") is { } dump)
    {
        // out-of-fold probabilities per clip and window (CNN, LightGBM) and the detectors' patterns: the fusion's
        // thresholds are then chosen from this file without retraining (--analyse)
        var rows = clips.Select((c, i) => new OutOfFold(Path.GetFileName(c.Path), c.Fold, c.Class, traces[i].Patterns, cnn[i], lightGbmRounds > 0 ? lgbm[i] : null));
        var path = configs.Count > 1 ? Path.ChangeExtension(dump, $"{configs.IndexOf(config)}.json") : dump; // one file per network
        File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new { labels, clips = rows }));
    }
    foreach (var (name, probabilities) in candidates)
    {
        var fusion = new EmergencyFusion(labels);
        var results = clips.Select((c, i) => ClassifyEvaluation.Judge(Path.GetFileName(c.Path), c.Class, traces[i], probabilities[i], labels, fusion, urbanSound: true)).ToList();
        report.AppendLine(CultureInfo.InvariantCulture, $"## {name}: leave-one-fold-out on folds {string.Join(",", folds)}, channels {string.Join("/", config.Channels)}, {config.Epochs} epochs, {Get("augment", "2")} augmented copies, {Get("clips", "10")} synthetic clips per category");
        report.AppendLine();
        report.AppendLine(ClassifyEvaluation.Markdown(ClassifyEvaluation.Summarise(results)));
        report.AppendLine(UrbanSoundTraining.FusionGrid(clips, traces, probabilities, labels));
    }
    Console.WriteLine(report.ToString());
    if (options.GetValueOrDefault("report") is { } file) File.AppendAllText(file, report.ToString());
    report.Clear();
}

if (options.GetValueOrDefault("lightgbm-out") is { } zip)
{
    // the feature model the CNN is blended with, trained on the same windows the cross-validation used
    Log($"final LightGBM ({lightGbmRounds} rounds) on all {sequences.Count} sequences…");
    var rows = sequences.SelectMany(s => s.Features.Where((_, w) => s.Keep[w]).Select(f => new LabelledFeatures(labels[s.Label], f))).ToList();
    NoiseClassifierTrainer.Train(rows, seed, NoiseClassifierTrainer.Trainer.LightGbm, lightGbmRounds).Save(zip);
    Log($"written {zip} ({new FileInfo(zip).Length / 1024.0:0} KiB)");
}

if (output is not null)
{
    Log($"final model on all {sequences.Count} sequences…");
    var net = CnnTrainer.Train(sequences, labels.Count, settings, Log);
    var check = new float[NoiseFeatures.PatchFrames * NoiseFeatures.Bands];
    var example = traces.First(t => t.LogMel.Count >= 2);
    NoiseFeatures.BuildPatch(example.LogMel, 1, check);
    var header = new LogMelCnn.Header([.. labels], settings.Channels, LogMelCnn.Bands, LogMelCnn.PatchFrames, CnnTrainer.Scale, blend,
        $"UrbanSound8K folds {string.Join(",", folds)} ({clips.Count} clips, {Get("augment", "2")} augmented copies each) and the generator ({Get("clips", "10")} clips per category, {Get("hard-negatives", "0")} confusers, {Get("chimes", "0")} repeated chimes and {Get("hard-positives", "0")} emergencies in noise per kind); {settings.Epochs} epochs, seed {seed}",
        "CC BY-NC 3.0 (trained on UrbanSound8K, Salamon, Jacoby & Bello 2014): non-commercial use only, with attribution");
    using (var stream = File.Create(output))
        LogMelCnn.Write(stream, header, net.Export(), check, CnnTrainer.Logits(net, check));
    var loaded = LogMelCnn.Load(output);
    Log($"written {output} ({new FileInfo(output).Length / 1024.0:0} KiB); C# against TorchSharp on the check patch: max |Δ logit| {loaded.CheckError:g3}; {loaded.MultiplyAdds / 1e6:0.00} M multiply-adds per window");
}
return 0;

internal sealed record OutOfFold(string File, int Fold, string Class, string?[] Patterns, List<float[]> Cnn, List<float[]>? LightGbm);
