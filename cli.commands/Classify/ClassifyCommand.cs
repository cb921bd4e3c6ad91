using System.CommandLine;
using System.Text.Json;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc classify --input file.wav [--json] [--model m.zip]</c>: per 1 s window of a recording (mono or stereo,
/// any common rate), the noise classifier's top class and its probability, and the emergency detector's verdict
/// (flag and type) — the same two judges a session has, run offline.
/// </summary>
public static class ClassifyCommand
{
    public sealed record Window(double StartSec, string Label, double Confidence, bool Emergency, string? EmergencyType);

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "WAV file", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per 1 s window" };
        var model = new Option<FileInfo?>("--model") { Description = "Classifier model (default: the embedded one)" };
        var command = new Command("classify", "Name the noise and detect emergency sounds (sirens, smoke and CO alarms, car horns, glass breaking) in a recording, per 1 s window.") { input, json, model };
        command.SetAction(parse =>
        {
            try
            {
                var path = parse.GetValue(model)?.FullName ?? NoiseClassifierModel.DefaultPath;
                var windows = Run(WavFile.Read(parse.GetValue(input)!.FullName), NoiseClassifierModel.Load(path));
                var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
                foreach (var w in windows)
                    Console.WriteLine(parse.GetValue(json)
                        ? JsonSerializer.Serialize(w, options)
                        : $"{w.StartSec,6:0.0} s  {w.Label,-18} {w.Confidence,5:P0}  {(w.Emergency ? "EMERGENCY " + w.EmergencyType : "")}");
                return 0;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"anc classify: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>
    /// Runs the classifier and the detector over the whole file. Per 1 s hop: the classifier's latest window
    /// (its windows are 0.99 s, so almost every hop has exactly one) and whether an emergency was active.
    /// </summary>
    public static IReadOnlyList<Window> Run(WavFile wav, NoiseClassifierModel? model = null)
    {
        model ??= NoiseClassifierModel.Load(NoiseClassifierModel.DefaultPath);
        var samples = wav.Mono();
        var detector = new EmergencyDetector(wav.SampleRate);
        var features = new NoiseFeatures(wav.SampleRate);
        float[]? latest = null;
        var chunk = new float[wav.SampleRate];
        var windows = new List<Window>();
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
            features.Push(chunk.AsSpan(0, piece.Length), w => latest = w);
            var (label, confidence) = latest is null ? ("unclassified", 0f) : model.PredictTop(latest);
            windows.Add(new Window((double)start / second, label, Math.Round(confidence, 3), seen is not null, seen));
        }
        return windows;
    }
}
