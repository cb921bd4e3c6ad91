using System.Diagnostics;
using System.Globalization;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Bench;

/// <summary>
/// <c>--pattern-parts</c>: where a session's recognition spends its time, on the recognition scene (broadband, 48 kHz,
/// 10 ms pushes): the whole pattern <see cref="EmergencyDetector"/>, then each part alone, fed in hop-sized chunks as the
/// detector feeds it — the 16 kHz front end (<see cref="Spectrum16k"/>: resampling, 512-point FFT every 16 ms), the tone
/// track on it (<see cref="ToneAnalyzer"/>, front end included), the lines for car horns (<see cref="SteadyLineTracker"/>
/// at 8 kHz, resampling and halving included), <see cref="GlassBreakDetector"/> on the input; the rest of the detector's
/// time is the pattern tests on the tone track. Then the classifier's parts: the resampler alone, the features (front
/// end included), the CNN and the feature model once per second. Each part
/// is warmed up (3 s of wall time each, then a 1 s pause for the JIT), then timed over 30 one-second runs in thread CPU time
/// (wall time on a shared machine counts the others' turns); the minimum and the median are printed, one JSON line.
/// </summary>
internal static class PatternParts
{
    private const int Runs = 30, Rate = StreamWorkload.SampleRate, Push = StreamWorkload.FrameSamples;

    public static void Run(TextWriter output)
    {
        var audio = StreamWorkload.SceneOf(StreamWorkload.RecognitionScenario).Reference;
        var detector = new EmergencyDetector(Rate);
        var front = new Spectrum16k(Rate);
        var tone = new ToneAnalyzer(Spectrum16k.Rate);
        var toneFront = new Spectrum16k(Rate);
        toneFront.FrameReady += () => tone.Analyse(toneFront.Power, toneFront.FrameCentreSeconds);
        var lines = new SteadyLineTracker(Spectrum16k.Rate / 2);
        var halve = new HalfBandDecimator();
        var at16k = new float[Push];
        var at8k = new float[Push];
        var glass = new GlassBreakDetector(Rate);
        var hop = (int)Math.Round(tone.HopSeconds * Rate);
        var features = new NoiseFeatures(Rate);
        var resampler = new Resampler16k(Rate);
        var resampled = new float[resampler.MaxOutput(Push)];
        var model = NoiseClassifierModel.LoadShared(NoiseClassifierModel.DefaultPath);
        float[]? window = null;
        features.Push(audio, w => window ??= w);
        var patch = features.Patch.ToArray();
        var probabilities = new float[model.Cnn?.Labels.Count ?? 1];
        Action<float[]> onWindow = _ => { };
        Action<double> onTime = _ => { };
        // As the detector runs them above 16 kHz: the tone track on the 16 kHz front end's spectrum (the front end's own
        // cost included), the lines on its signal halved to 8 kHz (resampling and halving included), glass on the input.
        var parts = new (string Name, Action<ReadOnlySpan<float>> Push)[]
        {
            ("detector", x => detector.Push(x)),
            ("front", x => InHops(x, hop, c => front.Push(c))),
            ("tone", x => InHops(x, hop, c => toneFront.Push(c))),
            ("lines", x => InHops(x, hop, c =>
            {
                var n = resampler.Process(c, at16k);
                lines.Push(at8k.AsSpan(0, halve.Process(at16k.AsSpan(0, n), at8k)), onTime);
            })),
            ("glass", x => InHops(x, hop, c => glass.Push(c, onTime))),
            ("resample", x => resampler.Process(x, resampled)),
            ("features", x => features.Push(x, onWindow)),
            ("cnn", OncePerSecond(() => model.Cnn?.Predict(patch, probabilities))),
            ("featureModel", OncePerSecond(() => model.Predict(window!))),
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

    // A part that runs once per second of audio (a model's prediction per window), on the first push of each second.
    private static Action<ReadOnlySpan<float>> OncePerSecond(Action action)
    {
        var pushes = 0;
        return _ =>
        {
            if (pushes++ % (Rate / Push) == 0) action();
        };
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
        for (var i = 0; i < Runs; i++)
        {
            var before = ThreadCpu.Milliseconds();
            OneSecond(audio, push);
            runs[i] = ThreadCpu.Milliseconds() - before;
        }
        Array.Sort(runs);
        return (runs[0], runs[Runs / 2]);
    }
}
