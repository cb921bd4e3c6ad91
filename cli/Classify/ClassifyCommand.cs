using System.CommandLine;
using System.Text.Json;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc classify --input file.wav [--json]</c>: per 1 s window, the emergency detector's verdict on a recording
/// (mono or stereo, any common rate). The 50-category noise classifier is not built yet (issue 4): until it is,
/// <c>label</c> is the emergency type while one is active and <c>unclassified</c> otherwise, with confidence 0.
/// </summary>
internal static class ClassifyCommand
{
    public sealed record Window(double StartSec, string Label, double Confidence, bool Emergency, string? EmergencyType);

    public static Command Create()
    {
        var input = new Option<FileInfo>("--input") { Description = "WAV file", Required = true };
        var json = new Option<bool>("--json") { Description = "One JSON object per 1 s window" };
        var command = new Command("classify", "Detect emergency sounds (sirens, smoke and CO alarms, car horns, glass breaking) in a recording.") { input, json };
        command.SetAction(parse =>
        {
            try
            {
                var windows = Run(WavFile.Read(parse.GetValue(input)!.FullName));
                var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
                foreach (var w in windows)
                    Console.WriteLine(parse.GetValue(json)
                        ? JsonSerializer.Serialize(w, options)
                        : $"{w.StartSec,6:0.0} s  {w.Label,-14} {(w.Emergency ? "EMERGENCY " + w.EmergencyType : "")}");
                return 0;
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"anc classify: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    /// <summary>Runs the detector over the whole file and reports, per 1 s hop, whether an emergency was active.</summary>
    public static IReadOnlyList<Window> Run(WavFile wav)
    {
        var samples = wav.Mono();
        var detector = new EmergencyDetector(wav.SampleRate);
        var windows = new List<Window>();
        var second = wav.SampleRate;
        for (var start = 0; start < samples.Length; start += second)
        {
            string? seen = detector.Active;
            void OnDetected(string kind, double _) => seen ??= kind;
            detector.Detected += OnDetected;
            detector.Push(samples.AsSpan(start, Math.Min(second, samples.Length - start)));
            detector.Detected -= OnDetected;
            seen ??= detector.Active;
            windows.Add(new Window((double)start / second, seen ?? "unclassified", seen is null ? 0 : 1, seen is not null, seen));
        }
        return windows;
    }
}
