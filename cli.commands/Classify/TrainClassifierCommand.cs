using System.CommandLine;
using System.Diagnostics;
using AncOrleans.Dsp.Classification;
using AncOrleans.Acoustics.Training;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc train-classifier --out model.zip [--wav folder] [--clips N]</c>: trains the embedded noise classifier
/// on the deterministic generator (every category of the taxonomy) and/or a folder of labelled recordings
/// (<c>&lt;label&gt;/*.wav</c>), then reports accuracy per class on held-out data: synthetic clips from seeds
/// never used in training, and recordings held out by file.
/// </summary>
public static class TrainClassifierCommand
{
    /// <summary>Seeds of held-out synthetic clips: far from the training seeds (seed + 1000·class + clip).</summary>
    public const int HeldOutSeed = 5_000_000;

    public static Command Create()
    {
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the model (.zip)" };
        var wav = new Option<DirectoryInfo?>("--wav") { Description = "Folder of <label>/*.wav recordings to train on (every fifth file per label held out)" };
        var synthetic = new Option<bool?>("--synthetic") { Description = "Also train on the generator (default: on without --wav, off with it)" };
        var clips = new Option<int>("--clips") { Description = "Synthetic training clips (3 s) per category", DefaultValueFactory = _ => 40 };
        var testClips = new Option<int>("--test-clips") { Description = "Held-out synthetic clips per category", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "First training seed", DefaultValueFactory = _ => 1 };
        var report = new Option<FileInfo?>("--report") { Description = "Also write the accuracy table (markdown) here" };
        var us8k = new Option<DirectoryInfo?>("--us8k") { Description = "Prepared UrbanSound8K folder (fold1 …): train on its --folds (never fold 10)" };
        var folds = new Option<string>("--folds") { Description = "UrbanSound8K training folds", DefaultValueFactory = _ => "1,2,3" };
        var cv = new Option<bool>("--cv") { Description = "With --us8k: leave-one-fold-out cross-validation and the fusion threshold grid" };
        var trainer = new Option<string>("--trainer") { Description = "maxent or lightgbm (with --cv, a comma list to compare; the last one is saved)", DefaultValueFactory = _ => "lightgbm" };
        var augment = new Option<int>("--augment") { Description = "Augmented copies per UrbanSound8K clip", DefaultValueFactory = _ => 2 };
        var rounds = new Option<int>("--rounds") { Description = "LightGBM boosting rounds", DefaultValueFactory = _ => 200 };
        var command = new Command("train-classifier", "Train the embedded noise classifier and report held-out accuracy per class.")
            { output, wav, synthetic, clips, testClips, seed, report, us8k, folds, cv, trainer, augment, rounds };
        command.SetAction(parse =>
        {
            try
            {
                if (parse.GetValue(us8k) is { } root)
                {
                    var trainers = parse.GetValue(trainer)!.Split(',').Select(t => t.Trim().ToLowerInvariant() switch
                    {
                        "maxent" => NoiseClassifierTrainer.Trainer.MaximumEntropy,
                        "lightgbm" => NoiseClassifierTrainer.Trainer.LightGbm,
                        var other => throw new ArgumentException($"unknown trainer '{other}'."),
                    }).ToList();
                    var text = UrbanSoundTraining.Run(parse.GetValue(cv) && parse.GetValue(output) is null ? null : parse.GetValue(output)?.FullName, root.FullName,
                        parse.GetValue(folds)!.Split(',').Select(int.Parse).ToList(), parse.GetValue(cv), trainers, parse.GetValue(augment), parse.GetValue(clips), parse.GetValue(rounds), parse.GetValue(seed));
                    Console.WriteLine(text);
                    if (parse.GetValue(report) is { } reportFile) File.WriteAllText(reportFile.FullName, text);
                    return 0;
                }
                if (parse.GetValue(output) is null) throw new ArgumentException("give --out model.zip.");
                var folder = parse.GetValue(wav);
                var useSynthetic = parse.GetValue(synthetic) ?? folder is null;
                // Steps on a bar (a terminal only): the training set, the training, each test set.
                var table = Progress.CliProgress.Run(Progress.CliProgress.Shown(json: false), "anc train-classifier", 4,
                    (Action<double, string> step) => Run(parse.GetValue(output)!.FullName, folder?.FullName, useSynthetic, parse.GetValue(clips), parse.GetValue(testClips), parse.GetValue(seed), step));
                Console.WriteLine(table);
                if (parse.GetValue(report) is { } file) File.WriteAllText(file.FullName, table);
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine($"anc train-classifier: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    public static string Run(string output, string? folder, bool synthetic, int clips, int testClips, int seed, Action<double, string>? step = null)
    {
        step?.Invoke(0, "making the training set");
        if (folder is null && !synthetic) throw new ArgumentException("nothing to train on: give --wav or keep --synthetic.");
        var watch = Stopwatch.StartNew();
        var train = new List<LabelledFeatures>();
        var tests = new List<(string Source, List<LabelledFeatures> Rows)>();
        if (synthetic)
        {
            train.AddRange(NoiseTrainingSet.Generate(NoiseTaxonomy.Labels, clips, seed));
            tests.Add(("synthetic, held-out seeds", NoiseTrainingSet.Generate(NoiseTaxonomy.Labels, testClips, HeldOutSeed)));
        }
        if (folder is not null)
        {
            var recorded = NoiseTrainingSet.FromFolder(folder, NoiseTrainingSet.FolderSplit.Train);
            if (recorded.Count == 0) throw new InvalidDataException($"no <label>/*.wav windows of ≥ 1 s under '{folder}'.");
            train.AddRange(recorded);
            tests.Add(("recordings, held-out files", NoiseTrainingSet.FromFolder(folder, NoiseTrainingSet.FolderSplit.Test)));
        }
        Console.Error.WriteLine($"{train.Count} training windows, {train.Select(r => r.Label).Distinct().Count()} classes ({watch.Elapsed.TotalSeconds:0} s); training…");
        step?.Invoke(1, $"training on {train.Count} windows");
        var model = NoiseClassifierTrainer.Train(train);
        step?.Invoke(3, "testing");
        model.Save(output);
        Console.Error.WriteLine($"model written to {output} ({new FileInfo(output).Length / 1024.0:0} KiB, {watch.Elapsed.TotalSeconds:0} s)");
        return string.Join(Environment.NewLine, tests.Select(t => AccuracyTable(model, t.Source, t.Rows)));
    }

    /// <summary>Markdown: overall accuracy and, per class, accuracy, windows and the most frequent confusion.</summary>
    public static string AccuracyTable(NoiseClassifierModel model, string source, IReadOnlyList<LabelledFeatures> rows)
    {
        var byClass = rows.GroupBy(r => r.Label).OrderBy(g => g.Key, StringComparer.Ordinal);
        var lines = new List<string>();
        var correct = 0;
        foreach (var group in byClass)
        {
            var predicted = group.Select(r => model.PredictLabel(r.Features)).ToList();
            var hits = predicted.Count(p => p == group.Key);
            correct += hits;
            var confusion = predicted.Where(p => p != group.Key).GroupBy(p => p).OrderByDescending(g => g.Count()).FirstOrDefault();
            lines.Add($"| {group.Key} | {100.0 * hits / predicted.Count:0.0} % | {predicted.Count} | {(confusion is null ? "" : $"{confusion.Key} ({confusion.Count()})")} |");
        }
        return $"""
            ### Held-out accuracy — {source}: {100.0 * correct / Math.Max(1, rows.Count):0.0} % of {rows.Count} windows

            | class | accuracy | windows | most often taken for |
            |---|---:|---:|---|
            {string.Join(Environment.NewLine, lines)}

            """;
    }
}
