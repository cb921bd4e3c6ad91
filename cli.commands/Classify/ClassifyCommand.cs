using System.CommandLine;
using System.Text.Json;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc classify --input file.wav [--json] [--model m.zip]</c>: per 1 s window of a recording (mono or stereo,
/// any common rate), the noise classifier's top class and its probability, and the emergency detector's verdict
/// (flag and type, fused with the model's emergency probability: <see cref="EmergencyFusion"/>) — the same judges a
/// session has, run offline. <c>anc classify --eval DIR [--json]</c>: figures over a folder of labelled clips
/// (<see cref="ClassifyEvaluation"/>).
/// </summary>
public static class ClassifyCommand
{
    public sealed record Window(double StartSec, string Label, double Confidence, bool Emergency, string? EmergencyType);

    public static Command Create()
    {
        var input = new Option<FileInfo?>("--input") { Description = "WAV file" };
        var eval = new Option<DirectoryInfo?>("--eval") { Description = "Folder of labelled clips (<label>/*.wav or UrbanSound8K names): per-class recall, confusion, emergency recall, false alerts" };
        var json = new Option<bool>("--json") { Description = "One JSON object per 1 s window (with --eval: one object with every figure)" };
        var model = new Option<FileInfo?>("--model") { Description = "Classifier model (default: the embedded one)" };
        var tagger = new Option<FileInfo?>("--tagger") { Description = "A pretrained AudioSet tagger (YAMNet's .tflite, not shipped: docs/classifier.md) that votes on sirens and car horns" };
        var head = new Option<FileInfo?>("--tagger-head") { Description = "With --tagger: the head that blends the tagger's embedding into the labels (default: the shipped Models/tagger-head.bin; 'none' for none)" };
        var fusion = new Option<string?>("--fusion") { Description = "Fusion thresholds to try (as emergency-eval's --fusion; tune on folds 1-3, never on fold 10)" };
        var command = new Command("classify", "Name the noise and detect emergency sounds (sirens, smoke and CO alarms, car horns, glass breaking) in a recording, per 1 s window; or evaluate on a folder of labelled clips.") { input, eval, json, model, tagger, fusion, head };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(model)?.FullName ?? NoiseClassifierModel.DefaultPath;
                var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
                if (parse.GetValue(eval) is { } folder)
                {
                    var loaded = NoiseClassifierModel.Load(path);
                    var clips = ClassifyEvaluation.Collect(folder.FullName);
                    var yamnet = parse.GetValue(tagger) is { } t ? YamNet.Load(t.FullName) : null;
                    var fusionOptions = parse.GetValue(fusion) is { } f ? EmergencyEvalCommand.ParseFusion(f) : null;
                    var report = Progress.CliProgress.Run(Progress.CliProgress.Shown(parse.GetValue(json)), "anc classify --eval", clips.Count,
                        step => ClassifyEvaluation.Evaluate(clips, loaded, new EmergencyFusion(loaded.Labels, fusionOptions, tagged: yamnet is not null), step, yamnet,
                            yamnet is null ? null : TaggerHead.LoadOptional(parse.GetValue(head)?.ToString())));
                    Console.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(report, options) : ClassifyEvaluation.Markdown(report));
                    return 0;
                }
                if (parse.GetValue(input) is null)
                {
                    Console.Error.WriteLine("anc classify: give --input file.wav or --eval folder.");
                    return 2;
                }
                var windows = Run(WavFile.Read(parse.GetValue(input)!.FullName), NoiseClassifierModel.Load(path),
                    parse.GetValue(tagger) is { } taggerFile ? YamNet.Load(taggerFile.FullName) : null,
                    parse.GetValue(fusion) is { } text ? EmergencyEvalCommand.ParseFusion(text) : null,
                    parse.GetValue(tagger) is null ? null : TaggerHead.LoadOptional(parse.GetValue(head)?.ToString()));
                foreach (var w in windows)
                    Console.WriteLine(parse.GetValue(json)
                        ? JsonSerializer.Serialize(w, options)
                        : $"{w.StartSec,6:0.0} s  {w.Label,-18} {w.Confidence,5:P0}  {(w.Emergency ? "EMERGENCY " + w.EmergencyType : "")}");
                return 0;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                Console.Error.WriteLine($"anc classify: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>
    /// Runs the classifier and the detector over the whole file. Per 1 s hop: the classifier's latest window
    /// (its windows are 0.99 s, so almost every hop has exactly one) and whether an emergency was active: a pattern
    /// the detector had active in the hop, kept unless the model rejects it, or the model's own sure emergency; with a
    /// <paramref name="tagger"/>, also a hop in which one of its patches ends that raises an alert on its own, and with
    /// its <paramref name="head"/> each hop's label blended with the head's on the latest patch (as a session's).
    /// </summary>
    public static IReadOnlyList<Window> Run(WavFile wav, NoiseClassifierModel? model = null, YamNet? tagger = null, EmergencyFusionOptions? options = null,
        TaggerHead? head = null)
    {
        model ??= NoiseClassifierModel.Load(NoiseClassifierModel.DefaultPath);
        var fusion = new EmergencyFusion(model.Labels, options, tagged: tagger is not null);
        var samples = wav.Mono();
        var detector = new EmergencyDetector(wav.SampleRate);
        var features = new NoiseFeatures(wav.SampleRate);
        float[]? latest = null, previous = null;
        var chunk = new float[wav.SampleRate];
        var windows = new List<Window>();
        var latestAt = new List<float[]?>(); // the model's latest window at each hop, for the tagger's veto
        var second = wav.SampleRate;
        for (var start = 0; start < samples.Length; start += second)
        {
            var seen = detector.Active;
            void OnDetected(string kind, double _) => seen ??= kind;
            detector.Detected += OnDetected;
            var piece = samples.AsSpan(start, Math.Min(second, samples.Length - start));
            detector.Push(piece);
            detector.Detected -= OnDetected;
            seen ??= detector.Active;
            piece.CopyTo(chunk);
            features.Push(chunk.AsSpan(0, piece.Length), w =>
            {
                previous = latest;
                latest = model.Predict(w, features.Patch);
            });
            var (label, confidence, alert) = ("unclassified", 0f, seen);
            if (latest is not null)
            {
                var probabilities = latest;
                var best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities);
                (label, confidence, alert) = (model.Labels[best], probabilities[best], fusion.Decide(seen, probabilities, previous));
            }
            windows.Add(new Window((double)start / second, label, Math.Round(confidence, 3), alert is not null, alert));
            latestAt.Add(latest);
        }
        if (tagger is not null) ApplyTagger(windows, latestAt, samples, wav.SampleRate, tagger, fusion, head is not null && head.Labels.SequenceEqual(model.Labels) ? head : null, model.Labels);
        return windows;
    }

    private static void ApplyTagger(List<Window> windows, List<float[]?> latestAt, float[] samples, int rate, YamNet tagger, EmergencyFusion fusion,
        TaggerHead? head, IReadOnlyList<string> labels)
    {
        var headAt = new float[windows.Count][]; // the head on the latest patch ended by each hop's end
        YamNetStream.TagClip(tagger, samples, rate, (stream, scores, end) =>
        {
            var w = Math.Min(windows.Count - 1, (int)end);
            if (w < 0) return;
            var latest = latestAt[Math.Max(0, w - 1)]; // the model's window finished by the patch's end (the first patch waits for the first)
            if (!windows[w].Emergency && fusion.DecideTagged(scores, latest) is { } kind) windows[w] = windows[w] with { Emergency = true, EmergencyType = kind };
            if (head is null) return;
            var p = new float[head.Labels.Length];
            head.Predict(stream.Embedding, p, new float[head.Dimensions]);
            for (var k = w; k < headAt.Length; k++) headAt[k] = p;
        });
        if (head is null) return;
        for (var k = 0; k < windows.Count; k++)
        {
            if (latestAt[k] is not { } model || headAt[k] is not { } fromHead) continue;
            var blended = model.ToArray();
            head.Blend(blended, fromHead);
            var best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(blended);
            windows[k] = windows[k] with { Label = labels[best], Confidence = Math.Round(blended[best], 3) };
        }
    }
}
