using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Acoustics.Evaluation;

/// <summary>
/// Edge mode on the bench. The device (<see cref="EdgeFilter"/>) filters x at zero latency and the ear hears
/// e(n) = d(n) + (S*y)(n) with the true S, in frames of 10 ms; each frame goes to the cloud (<see cref="EdgeCanceller"/>)
/// tagged with what was played; a set the cloud sends after a frame ending at sample n reaches the device at
/// n + D (the network round trip) and is applied at the next frame boundary — with sets at most every U ms, a
/// set is D + U old at worst. The bound is the edge bound: the Wiener filter at D = 0 on Ŝ*x (the scene's
/// acoustic lead is what makes it causal).
/// </summary>
public static class EdgeEvaluation
{
    /// <summary>Faults to inject (tests): which upload frames arrive, which sets arrive, extra lateness of sets.</summary>
    public sealed record Faults
    {
        /// <summary>Frame index → whether the cloud receives it (null: all).</summary>
        public Func<long, bool>? Uploaded { get; init; }

        /// <summary>Set version → whether the device receives it (null: all).</summary>
        public Func<uint, bool>? Delivered { get; init; }

        /// <summary>Extra samples every set is late by, beyond D.</summary>
        public int ExtraLateSamples { get; init; }
    }

    /// <summary>Set statistics of one run.</summary>
    public sealed record Report(int SetsSent, int SetsApplied, double MeanAgeMs, double MaxAgeMs, long SamplesAdapted, long SamplesSeen);

    public static EvalResult Run(AcousticScene scene, EdgeSettings settings, double delayMs, Faults? faults = null) =>
        Run(scene, settings, delayMs, out _, faults);

    public static EvalResult Run(AcousticScene scene, EdgeSettings settings, double delayMs, out Report report, Faults? faults = null)
    {
        settings = settings with { SampleRate = scene.SampleRate, SecondaryPath = settings.SecondaryPath ?? scene.SecondaryPath };
        var cloud = new EdgeCanceller(settings);
        var device = new EdgeFilter(cloud.Length);
        var n = scene.Length;
        var frame = scene.SampleRate / 100;
        var delay = AncSettings.MillisecondsToSamples(delayMs, scene.SampleRate) + (faults?.ExtraLateSamples ?? 0);
        var ear = new float[n];
        var y = new float[frame];
        var heard = new float[frame];
        var scratch = new float[frame + scene.SecondaryPath.Length];
        var secondary = new FirFilter(scene.SecondaryPath);
        var pending = new Queue<(long Arrival, CoefficientSet Set)>();
        var applied = 0;
        double ageSum = 0, ageMax = 0;
        long index = 0;
        for (var start = 0; start < n; start += frame, index++)
        {
            var count = Math.Min(frame, n - start);
            CoefficientSet? newest = null;
            while (pending.Count > 0 && pending.Peek().Arrival <= start) newest = pending.Dequeue().Set;
            if (newest is not null)
            {
                device.Apply(newest.Version, newest.Taps, newest.CrossfadeSamples);
                applied++;
                var age = (start - newest.FittedThroughSample) * 1000.0 / scene.SampleRate;
                ageSum += age;
                ageMax = Math.Max(ageMax, age);
            }
            var tag = new EdgeTag(device.Version, device.FadingFrom, device.FadeElapsed);
            var x = scene.Reference.AsSpan(start, count);
            device.Process(x, y.AsSpan(0, count));
            secondary.ProcessBlock(y.AsSpan(0, count), heard, scratch);
            for (var i = 0; i < count; i++) ear[start + i] = scene.Disturbance[start + i] + heard[i];
            if (faults?.Uploaded is { } uploaded && !uploaded(index))
            {
                cloud.Gap(count);
                continue;
            }
            if (cloud.Process(x, ear.AsSpan(start, count), tag) is { } set && (faults?.Delivered?.Invoke(set.Version) ?? true))
                pending.Enqueue((start + count + delay, set));
        }
        report = new Report(cloud.SetsSent, applied, applied == 0 ? 0 : ageSum / applied, ageMax, cloud.SamplesAdapted, cloud.SamplesSeen);
        return Result(scene, settings, delayMs, ear);
    }

    /// <summary>The edge bound's residual over the steady-state window: Wiener at D = 0 on Ŝ*x, target −d.</summary>
    public static double BoundDb(AcousticScene scene, int filterLength)
    {
        var filtered = FirFilter.Convolve(scene.Reference, scene.SecondaryPath);
        var negated = Array.ConvertAll(scene.Disturbance, v => -v);
        var from = ReductionMeter.SteadyStart(scene.Length);
        var bound = WienerBound.Residual(filtered, negated, filterLength, 0, from);
        return ReductionMeter.Db(scene.Disturbance.AsSpan(from), bound);
    }

    private static EvalResult Result(AcousticScene scene, EdgeSettings settings, double delayMs, float[] ear)
    {
        var reduction = ReductionMeter.SteadyStateDb(scene.Disturbance, ear);
        return new EvalResult
        {
            Scenario = scene.Name,
            Mode = "edge",
            Algorithm = "nlms",
            DelayMs = delayMs,
            UpdateMs = settings.UpdateMs,
            SampleRate = scene.SampleRate,
            FilterLength = settings.FilterLength,
            ReductionDb = reduction,
            BoundDb = BoundDb(scene, settings.FilterLength),
            ConvergenceMs = ReductionMeter.ConvergenceMs(scene.Disturbance, ear, scene.SampleRate, reduction),
            Seconds = (double)scene.Length / scene.SampleRate,
            Noise = scene.Disturbance,
            Residual = ear,
        };
    }
}
