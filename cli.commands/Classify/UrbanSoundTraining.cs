using System.Diagnostics;
using System.Globalization;
using System.Text;
using AncOrleans.Acoustics.Training;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc train-classifier --us8k DIR [--folds 1,2,3] [--cv] [--trainer lightgbm|maxent,…]</c>: trains on UrbanSound8K's
/// training folds (plus the synthetic generator, so every category of the taxonomy stays known) and, with
/// <c>--cv</c>, reports leave-one-fold-out cross-validation on those folds: clip accuracy through the taxonomy
/// table and, for the fused emergency decision, siren and car-horn recall and non-emergency alerts over a grid of
/// thresholds (that is where <see cref="EmergencyFusionOptions"/>' values come from). Fold 10 is refused.
/// </summary>
public static class UrbanSoundTraining
{
    public static string Run(string? output, string root, IReadOnlyList<int> folds, bool crossValidate, IReadOnlyList<NoiseClassifierTrainer.Trainer> trainers,
        int augment, int syntheticClips, int rounds, int seed)
    {
        if (folds.Contains(UrbanSound8K.HeldOutFold)) throw new ArgumentException($"fold {UrbanSound8K.HeldOutFold} is the held-out test: never train or tune on it.");
        var watch = Stopwatch.StartNew();
        var clips = UrbanSound8K.Scan(root, folds);
        Console.Error.WriteLine($"{clips.Count} clips in folds {string.Join(",", folds)}; features (+{augment} augmented copies each)…");
        var rows = NoiseTrainingSet.FromUrbanSound8K(clips, augment, seed);
        var synthetic = syntheticClips > 0 ? NoiseTrainingSet.Generate(NoiseTaxonomy.Labels, syntheticClips, seed) : [];
        Console.Error.WriteLine($"{rows.Count} recorded + {synthetic.Count} synthetic windows ({watch.Elapsed.TotalSeconds:0} s)");
        var report = new StringBuilder();
        if (crossValidate)
        {
            Console.Error.WriteLine("traces (detectors + every window) of each clip…");
            var traces = new ClipTrace[clips.Count];
            Parallel.For(0, clips.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            {
                var wav = WavFile.Read(clips[i].Path);
                traces[i] = ClipTrace.Analyse(wav.Mono(), wav.SampleRate);
            });
            Console.Error.WriteLine($"traces done ({watch.Elapsed.TotalSeconds:0} s)");
            foreach (var trainer in trainers)
            {
                var probabilities = new List<float[]>[clips.Count];
                IReadOnlyList<string> labels = [];
                foreach (var fold in folds)
                {
                    var train = rows.Where(r => clips[r.Clip].Fold != fold).Select(r => r.Row).Concat(synthetic).ToList();
                    var model = NoiseClassifierTrainer.Train(train, seed, trainer, rounds);
                    labels = model.Labels;
                    for (var i = 0; i < clips.Count; i++)
                        if (clips[i].Fold == fold) probabilities[i] = traces[i].Windows.Select(model.Predict).ToList();
                    Console.Error.WriteLine($"{trainer}: fold {fold} done ({watch.Elapsed.TotalSeconds:0} s)");
                }
                report.AppendLine(CultureInfo.InvariantCulture, $"## {trainer}: leave-one-fold-out on folds {string.Join(",", folds)}, {augment} augmented copies, {syntheticClips} synthetic clips per category");
                report.AppendLine();
                var fusion = new EmergencyFusion(labels);
                var results = clips.Select((c, i) => ClassifyEvaluation.Judge(Path.GetFileName(c.Path), c.Class, traces[i], probabilities[i], labels, fusion, urbanSound: true)).ToList();
                report.AppendLine(ClassifyEvaluation.Markdown(ClassifyEvaluation.Summarise(results)));
                report.AppendLine(FusionGrid(clips, traces, probabilities, labels));
                Console.Error.WriteLine(report.ToString());
            }
        }
        if (output is not null)
        {
            var model = NoiseClassifierTrainer.Train(rows.Select(r => r.Row).Concat(synthetic).ToList(), seed, trainers[^1], rounds);
            model.Save(output);
            Console.Error.WriteLine($"model ({trainers[^1]}) written to {output} ({new FileInfo(output).Length / 1024.0:0} KiB, {watch.Elapsed.TotalSeconds:0} s)");
        }
        return report.ToString();
    }

    public static string FusionGrid(IReadOnlyList<UrbanSound8K.Clip> clips, ClipTrace[] traces, List<float[]>[] probabilities, IReadOnlyList<string> labels)
    {
        var text = new StringBuilder("| θ (model alone) | ρ_E (reject) | siren | car_horn | non-emergency alerts | gun_shot alerts |\n|---:|---:|---:|---:|---:|---:|\n");
        double[] thetas = [double.PositiveInfinity, 0.5, 0.7, 0.8, 0.9, 0.95];
        double[] rhos = [0, 0.02, 0.05, 0.1, 0.2];
        foreach (var theta in thetas)
            foreach (var rho in rhos)
            {
                var options = new EmergencyFusionOptions
                {
                    EmergencyReject = rho, RejectAllBelow = rho,
                    ModelAlone = new Dictionary<string, double> { [EmergencyKind.Siren] = theta, [EmergencyKind.CarHorn] = theta },
                };
                var fusion = new EmergencyFusion(labels, options);
                int siren = 0, sirenAlert = 0, horn = 0, hornAlert = 0, non = 0, nonAlert = 0, gun = 0, gunAlert = 0;
                for (var i = 0; i < clips.Count; i++)
                {
                    string? alert = null;
                    for (var w = 0; w < traces[i].Windows.Count && alert is null; w++) alert = fusion.Decide(traces[i].Patterns[w], probabilities[i][w], w > 0 ? probabilities[i][w - 1] : default);
                    var hit = alert is not null ? 1 : 0;
                    switch (clips[i].Class)
                    {
                        case "siren": siren++; sirenAlert += hit; break;
                        case "car_horn": horn++; hornAlert += hit; break;
                        case "gun_shot": gun++; gunAlert += hit; break;
                        default: non++; nonAlert += hit; break;
                    }
                }
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {(double.IsInfinity(theta) ? "off" : theta.ToString("0.0", CultureInfo.InvariantCulture))} | {rho:0.00} | {100.0 * sirenAlert / Math.Max(1, siren):0.0} % | {100.0 * hornAlert / Math.Max(1, horn):0.0} % | {100.0 * nonAlert / Math.Max(1, non):0.0} % ({nonAlert}/{non}) | {gunAlert}/{gun} |");
            }
        return text.ToString();
    }
}
