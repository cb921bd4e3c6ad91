using System.Globalization;
using System.Text;
using AncOrleans.Acoustics.Training;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc classify --eval DIR</c>: every labelled clip of a folder — UrbanSound8K names (<c>fsID-classID-occ-slice.wav</c>,
/// anywhere below DIR) or <c>&lt;label&gt;/*.wav</c> — through the classifier and the fused emergency decision.
/// A clip's label is the argmax of its windows' mean probabilities (mapped to UrbanSound8K's class when the truth is
/// one); a clip raises an alert if any of its windows does (<see cref="EmergencyFusion"/>).
/// With a pretrained tagger (<c>--tagger</c>), a clip also alerts when one of its patches does (<see cref="EmergencyFusion.DecideTagged"/>).
/// Truth: UrbanSound8K siren and car_horn, and the taxonomy's emergency labels, are emergencies; gun_shot is neither;
/// everything else is a non-emergency.
/// </summary>
public static class ClassifyEvaluation
{
    public sealed record ClipResult(string File, string Truth, string Predicted, string? Alert);

    public sealed record ClassFigures(string Class, int Clips, int Right, double Recall, int Alerts);

    public sealed record Report(
        int Clips, double Accuracy, IReadOnlyList<ClassFigures> Classes, IReadOnlyList<string> Labels, int[][] Confusion,
        int EmergencyClips, int EmergencyAlerts, double EmergencyRecall, int NonEmergencyClips, int NonEmergencyAlerts,
        double NonEmergencyAlertShare, IReadOnlyList<ClipResult> Results);

    /// <summary>The labelled clips under <paramref name="folder"/>: (path, truth).</summary>
    public static List<(string Path, string Truth)> Collect(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no folder '{folder}'.");
        var files = Directory.GetFiles(folder, "*.wav", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        var result = new List<(string, string)>();
        foreach (var file in files)
        {
            var usClass = UrbanSound8K.ClassOfFile(file);
            var parent = Path.GetFileName(Path.GetDirectoryName(file))!;
            if (usClass is not null) result.Add((file, usClass));
            else if (Path.GetFullPath(Path.GetDirectoryName(file)!) != Path.GetFullPath(folder)) result.Add((file, parent));
        }
        if (result.Count == 0) throw new InvalidDataException($"no labelled clips under '{folder}' (<label>/*.wav or UrbanSound8K names).");
        return result;
    }

    public static bool IsEmergency(string truth) =>
        UrbanSound8K.IsEmergency(truth) || NoiseTaxonomy.TryGet(truth, out var category) && category.Emergency;

    public static bool IsNeither(string truth) => UrbanSound8K.IsNeither(truth);

    /// <summary>Our label as the truth's vocabulary names it (UrbanSound8K's, through the taxonomy table, or ours).</summary>
    public static string Map(string predicted, bool urbanSound) => urbanSound ? UrbanSound8K.ClassOf(predicted) ?? predicted : predicted;

    /// <summary>The truths are UrbanSound8K's classes when every one is, and one at least is none of ours (air_conditioner, …).</summary>
    public static bool IsUrbanSound(IEnumerable<string> truths)
    {
        var set = truths.Distinct().ToList();
        return set.All(UrbanSound8K.Classes.Contains) && set.Any(t => !NoiseTaxonomy.TryGet(t, out _));
    }

    public static ClipResult Judge(string file, string truth, ClipTrace trace, NoiseClassifierModel model, EmergencyFusion fusion, bool urbanSound, TaggerHead? head = null)
    {
        var patch = new float[NoiseFeatures.PatchFrames * NoiseFeatures.Bands];
        var probabilities = trace.Windows.Select((features, w) =>
        {
            NoiseFeatures.BuildPatch(trace.LogMel, w, patch);
            return model.Predict(features, patch);
        }).ToList();
        return Judge(file, truth, trace, probabilities, model.Labels, fusion, urbanSound, head);
    }

    public static ClipResult Judge(string file, string truth, ClipTrace trace, IReadOnlyList<float[]> probabilities, IReadOnlyList<string> labels, EmergencyFusion fusion, bool urbanSound,
        TaggerHead? head = null)
    {
        var mean = new float[labels.Count];
        string? alert = null;
        for (var w = 0; w < probabilities.Count; w++)
        {
            for (var c = 0; c < mean.Length; c++) mean[c] += probabilities[w][c];
            alert ??= fusion.Decide(trace.Patterns[w], probabilities[w], w > 0 ? probabilities[w - 1] : default);
        }
        if (trace.Tagged is { } tagged)
            for (var p = 0; p < tagged.Count; p++)
            {
                // the model's latest window finished by the patch's end, as a session has it (the first patch, which
                // ends 1 ms before the first window, waits for it)
                var w = Math.Max(0, (int)Math.Floor(ClipTrace.PatchEndSeconds(p) / ClipTrace.WindowSeconds) - 1);
                var latest = w < probabilities.Count ? probabilities[w] : default;
                if (!PassesGate(fusion, trace, w, latest)) continue;
                alert ??= fusion.DecideTagged(tagged[p], latest);
            }
        if (head is not null && trace.Embeddings is { Count: > 0 } embeddings && probabilities.Count > 0 && head.Labels.SequenceEqual(labels))
        {
            // the label: (1 − β) · the model's mean window + β · the head's mean patch (TaggerHead)
            System.Numerics.Tensors.TensorPrimitives.Multiply(mean, 1f / probabilities.Count, mean);
            head.Blend(mean, head.PredictMean(embeddings));
        }
        var predicted = probabilities.Count == 0 ? "unclassified" : labels[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(mean)];
        return new ClipResult(file, truth, Map(predicted, urbanSound), alert);
    }

    /// <summary>
    /// <see cref="EmergencyFusionOptions.TaggerGate"/> as a session applies it: a pattern in the window that holds the
    /// patch's end (or the one before), or the model's siren + car_horn probability in its latest window, reaches the gate.
    /// </summary>
    private static bool PassesGate(EmergencyFusion fusion, ClipTrace trace, int latest, ReadOnlySpan<float> probabilities)
    {
        var gate = fusion.Options.TaggerGate;
        if (gate <= 0) return true;
        if (trace.Patterns[Math.Min(latest, trace.Patterns.Length - 1)] is not null || latest + 1 < trace.Patterns.Length && trace.Patterns[latest + 1] is not null) return true;
        return fusion.SirenAndHornProbability(probabilities) >= gate;
    }

    /// <summary>Judges every clip (two at a time); <paramref name="clipDone"/> is called once per clip (a progress bar).</summary>
    public static Report Evaluate(IReadOnlyList<(string Path, string Truth)> clips, NoiseClassifierModel model, EmergencyFusion fusion, Action? clipDone = null, YamNet? tagger = null, TaggerHead? head = null)
    {
        var results = new ClipResult[clips.Count];
        var urbanSound = IsUrbanSound(clips.Select(c => c.Truth));
        Parallel.For(0, clips.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var wav = WavFile.Read(clips[i].Path);
            results[i] = Judge(Path.GetFileName(clips[i].Path), clips[i].Truth, ClipTrace.Analyse(wav.Mono(), wav.SampleRate, tagger), model, fusion, urbanSound, head);
            clipDone?.Invoke();
        });
        return Summarise(results);
    }

    public static Report Summarise(IReadOnlyList<ClipResult> results)
    {
        var labels = results.Select(r => r.Truth).Distinct().Order(StringComparer.Ordinal).ToList();
        var columns = labels.Concat(results.Select(r => r.Predicted).Where(p => !labels.Contains(p)).Distinct().Order(StringComparer.Ordinal)).ToList();
        var confusion = labels.Select(_ => new int[columns.Count]).ToArray();
        foreach (var r in results) confusion[labels.IndexOf(r.Truth)][columns.IndexOf(r.Predicted)]++;
        var classes = labels.Select(l =>
        {
            var of = results.Where(r => r.Truth == l).ToList();
            var right = of.Count(r => r.Predicted == l);
            return new ClassFigures(l, of.Count, right, (double)right / of.Count, of.Count(r => r.Alert is not null));
        }).ToList();
        var emergency = results.Where(r => IsEmergency(r.Truth)).ToList();
        var non = results.Where(r => !IsEmergency(r.Truth) && !IsNeither(r.Truth)).ToList();
        return new Report(results.Count, (double)results.Count(r => r.Predicted == r.Truth) / Math.Max(1, results.Count), classes, columns, confusion,
            emergency.Count, emergency.Count(r => r.Alert is not null), (double)emergency.Count(r => r.Alert is not null) / Math.Max(1, emergency.Count),
            non.Count, non.Count(r => r.Alert is not null), (double)non.Count(r => r.Alert is not null) / Math.Max(1, non.Count), results);
    }

    public static string Markdown(Report report)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"{report.Clips} clips: accuracy {100 * report.Accuracy:0.0} %; emergency recall {100 * report.EmergencyRecall:0.0} % ({report.EmergencyAlerts}/{report.EmergencyClips}); non-emergency clips raising an alert {100 * report.NonEmergencyAlertShare:0.0} % ({report.NonEmergencyAlerts}/{report.NonEmergencyClips})");
        text.AppendLine();
        text.AppendLine("| class | clips | recall | clips raising an alert |");
        text.AppendLine("|---|---:|---:|---:|");
        foreach (var k in report.Classes) text.AppendLine(c, $"| {k.Class} | {k.Clips} | {100 * k.Recall:0.0} % | {k.Alerts} ({100.0 * k.Alerts / k.Clips:0.0} %) |");
        text.AppendLine();
        text.AppendLine("Confusion (rows: truth, columns: predicted)");
        text.AppendLine();
        text.AppendLine("| truth \\ predicted | " + string.Join(" | ", report.Labels) + " |");
        text.AppendLine("|---|" + string.Concat(report.Labels.Select(_ => "---:|")));
        for (var i = 0; i < report.Classes.Count; i++) text.AppendLine($"| {report.Classes[i].Class} | " + string.Join(" | ", report.Confusion[i]) + " |");
        return text.ToString();
    }
}
