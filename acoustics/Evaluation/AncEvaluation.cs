using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Acoustics.Evaluation;

/// <summary>
/// Runs a canceller in an <see cref="AcousticScene"/> and measures it next to the Wiener bound.
/// Antinoise: the loop is closed sample-exactly, e(n) = d(n) + (S*y)(n) with the true S, the canceller fed in
/// blocks of min(10 ms, D), each block returning y D samples ahead. Clean: the canceller sees x and d.
/// </summary>
public static class AncEvaluation
{
    public static EvalResult RunAntiNoise(AcousticScene scene, AncSettings settings)
    {
        settings = settings with { Mode = CancellerMode.AntiNoise, SampleRate = scene.SampleRate, SecondaryPath = settings.SecondaryPath ?? scene.SecondaryPath };
        var processor = new AncProcessor(settings);
        var n = scene.Length;
        var delay = settings.DelaySamples;
        var block = Math.Min(delay, scene.SampleRate / 100);
        var speaker = new float[n + delay];  // y(n) as played
        var ear = new float[n];              // e(n)
        var secondary = new FirFilter(scene.SecondaryPath);
        for (var start = 0; start < n; start += block)
        {
            var count = Math.Min(block, n - start);
            for (var i = start; i < start + count; i++) ear[i] = scene.Disturbance[i] + secondary.Process(speaker[i]);
            var output = speaker.AsSpan(start + delay, count);
            processor.ProcessAntiNoise(scene.Reference.AsSpan(start, count), ear.AsSpan(start, count), output);
        }
        var filtered = FirFilter.Convolve(scene.Reference, scene.SecondaryPath);
        var negated = Array.ConvertAll(scene.Disturbance, v => -v);
        var from = ReductionMeter.SteadyStart(n);
        var bound = WienerBound.Residual(filtered, negated, settings.FilterLength, delay, from);
        return Result(scene, settings, "antinoise", settings.Algorithm.ToString().ToLowerInvariant(), null, ear, bound);
    }

    public static EvalResult RunClean(AcousticScene scene, ICleanCanceller canceller, AncSettings settings)
    {
        var n = scene.Length;
        var residual = new float[n];
        var block = canceller.BlockSize;
        var x = new float[block];
        var d = new float[block];
        var output = new float[block];
        for (var start = 0; start < n; start += block)
        {
            var count = Math.Min(block, n - start);
            Array.Clear(x); Array.Clear(d);
            scene.Reference.AsSpan(start, count).CopyTo(x);
            scene.Disturbance.AsSpan(start, count).CopyTo(d);
            canceller.Process(x, d, output);
            output.AsSpan(0, count).CopyTo(residual.AsSpan(start));
        }
        var from = ReductionMeter.SteadyStart(n);
        var bound = WienerBound.Residual(scene.Reference, scene.Disturbance, settings.FilterLength, settings.DelaySamples, from);
        var peer = canceller is OursClean ? null : canceller.Name;
        var algorithm = canceller is OursClean ours ? ours.Name : canceller.Name;
        return Result(scene, settings, "clean", algorithm, peer, residual, bound);
    }

    private static EvalResult Result(AcousticScene scene, AncSettings settings, string mode, string algorithm, string? peer, float[] residual, float[] bound)
    {
        var reduction = ReductionMeter.SteadyStateDb(scene.Disturbance, residual);
        var from = ReductionMeter.SteadyStart(scene.Length);
        return new EvalResult
        {
            Scenario = scene.Name,
            Mode = mode,
            Algorithm = algorithm,
            Peer = peer,
            DelayMs = Math.Round(settings.DelaySamples * 1000.0 / scene.SampleRate, 3),
            SampleRate = scene.SampleRate,
            FilterLength = settings.FilterLength,
            ReductionDb = reduction,
            BoundDb = ReductionMeter.Db(scene.Disturbance.AsSpan(from), bound),
            ConvergenceMs = ReductionMeter.ConvergenceMs(scene.Disturbance, residual, scene.SampleRate, reduction),
            Seconds = (double)scene.Length / scene.SampleRate,
            Noise = scene.Disturbance,
            Residual = residual,
        };
    }
}
