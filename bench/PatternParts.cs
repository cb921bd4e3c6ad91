using System.Diagnostics;
using System.Globalization;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Bench;

/// <summary>
/// <c>--pattern-parts</c>: where the DSP patterns (<c>patterns</c>) spend their time, on the recognition scene
/// (broadband, 48 kHz, 10 ms pushes): the whole <see cref="EmergencyDetector"/>, then each analyser alone, fed in hop-sized
/// chunks as the detector feeds it (<see cref="ToneAnalyzer"/>, <see cref="SteadyLineTracker"/> for car horns,
/// <see cref="GlassBreakDetector"/>); the rest of the detector's time is the pattern tests on the tone track. Each part
/// is warmed up (3 s of wall time each, then a 1 s pause for the JIT), then timed over 30 one-second runs, wall time on one thread; the minimum and the median are printed
/// (the minimum is what the code costs on a machine others share), one JSON line.
/// </summary>
internal static class PatternParts
{
    private const int Runs = 30, Rate = StreamWorkload.SampleRate, Push = StreamWorkload.FrameSamples;

    public static void Run(TextWriter output)
    {
        var audio = StreamWorkload.SceneOf(StreamWorkload.RecognitionScenario).Reference;
        var detector = new EmergencyDetector(Rate);
        var tone = new ToneAnalyzer(Rate);
        var lines = new SteadyLineTracker(Rate);
        var glass = new GlassBreakDetector(Rate);
        var hop = (int)Math.Round(tone.HopSeconds * Rate);
        Action<ToneFrame> onTone = _ => { };
        Action<double> onTime = _ => { };
        var parts = new (string Name, Action<ReadOnlySpan<float>> Push)[]
        {
            ("detector", x => detector.Push(x)),
            ("tone", x => InHops(x, hop, c => tone.Push(c, onTone))),
            ("lines", x => InHops(x, hop, c => lines.Push(c, onTime))),
            ("glass", x => InHops(x, hop, c => glass.Push(c, onTime))),
        };
        // Every part warmed up first (3 s of wall time each, then a pause): under load the tiered JIT took ~20 one-second
        // runs to move the detector to tier-1 code, and a median over tier-0 runs measures the JIT, not the code.
        foreach (var (_, push) in parts)
            for (var warm = Stopwatch.StartNew(); warm.ElapsedMilliseconds < 3000;) OneSecond(audio, push);
        Thread.Sleep(1000);
        var fields = new List<string> { "\"name\": \"pattern-parts\"" };
        foreach (var (name, push) in parts)
        {
            var (min, median) = Time(audio, push);
            fields.Add(string.Create(CultureInfo.InvariantCulture, $"\"{name}MinMs\": {min:F3}, \"{name}MedianMs\": {median:F3}"));
        }
        output.WriteLine("{" + string.Join(", ", fields) + "}");
    }

    private delegate void ChunkAction(ReadOnlySpan<float> chunk);

    private static void InHops(ReadOnlySpan<float> samples, int hop, ChunkAction action)
    {
        for (var k = 0; k < samples.Length; k += hop) action(samples.Slice(k, Math.Min(hop, samples.Length - k)));
    }

    private static void OneSecond(float[] audio, Action<ReadOnlySpan<float>> push)
    {
        for (var start = 0; start < audio.Length; start += Push) push(audio.AsSpan(start, Push));
    }

    private static (double Min, double Median) Time(float[] audio, Action<ReadOnlySpan<float>> push)
    {
        var runs = new double[Runs];
        var clock = new Stopwatch();
        for (var i = 0; i < Runs; i++)
        {
            clock.Restart();
            OneSecond(audio, push);
            runs[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(runs);
        return (runs[0], runs[Runs / 2]);
    }
}
