using System.CommandLine;
using AncOrleans.Dsp.Acoustics;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc emergency-eval</c>: the detector on held-out synthetic clips (seeds from 100000, never used for tuning
/// scenes): recall per emergency × background at a given SNR, and false alerts per hour on confusers.
/// </summary>
internal static class EmergencyEvalCommand
{
    public static Command Create()
    {
        var trials = new Option<int>("--trials") { Description = "Clips per cell", DefaultValueFactory = _ => 20 };
        var snr = new Option<double>("--snr-db") { Description = "Emergency-to-background SNR", DefaultValueFactory = _ => 0 };
        var command = new Command("emergency-eval", "Measure the emergency detector: recall at an SNR, false alerts per hour.") { trials, snr };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(trials), parse.GetValue(snr));
            return 0;
        });
        return command;
    }

    private static void Run(int trials, double snrDb)
    {
        const int rate = 16_000;
        Console.WriteLine($"{"emergency",-12} {"background",-11} {"recall",7} {"wrong kind",10} {"mean s to detect",17}");
        foreach (var kind in EmergencySounds.Emergencies)
            foreach (var background in EmergencySounds.Backgrounds)
            {
                int hits = 0, wrong = 0;
                double seconds = 0;
                for (var s = 0; s < trials; s++)
                {
                    var random = new Dsp.Acoustics.NoiseGenerator(100_000 + 31 * s + 7 * kind.Length + background.Length);
                    var mix = EmergencySounds.Mix(EmergencySounds.Create(kind, rate, 8, random), EmergencySounds.Background(background, rate, 8, random), snrDb);
                    var (first, at) = Detect(mix, rate);
                    if (first == kind) { hits++; seconds += at; }
                    else if (first is not null) wrong++;
                }
                Console.WriteLine($"{kind,-12} {background,-11} {100.0 * hits / trials,6:0}% {wrong,10} {seconds / Math.Max(1, hits),17:0.00}");
            }
        double hours = 0;
        var alerts = new Dictionary<string, int>();
        foreach (var kind in EmergencySounds.Confusers)
            foreach (var background in EmergencySounds.Backgrounds.Append("none"))
                foreach (var level in new[] { 0.0, 10, 20 })
                    for (var s = 0; s < trials; s++)
                    {
                        var random = new Dsp.Acoustics.NoiseGenerator(200_000 + s);
                        var sound = EmergencySounds.Create(kind, rate, 8, random);
                        var mix = background == "none" ? sound : EmergencySounds.Mix(sound, EmergencySounds.Background(background, rate, 8, random), level);
                        var detector = new EmergencyDetector(rate);
                        detector.Detected += (_, _) => alerts[kind] = alerts.GetValueOrDefault(kind) + 1;
                        detector.Push(mix);
                        hours += 8.0 / 3600;
                    }
        Console.WriteLine($"false alerts: {alerts.Values.Sum()} in {hours * 60:0} minutes of {string.Join(", ", EmergencySounds.Confusers)} " +
                          $"({alerts.Values.Sum() / hours:0.0} per hour; by source: {string.Join(", ", alerts.Select(a => $"{a.Key} {a.Value}"))})");
    }

    private static (string? Kind, double Seconds) Detect(float[] mix, int rate)
    {
        var detector = new EmergencyDetector(rate);
        string? first = null;
        double at = 0;
        detector.Detected += (k, t) => { if (first is null) { first = k; at = t; } };
        detector.Push(mix);
        return (first, at);
    }
}
