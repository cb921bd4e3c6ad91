using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Cli.Eval;

/// <summary>Builds the default plan and runs cases in parallel, one scene per (scenario, rate, delay).</summary>
internal static class EvalRunner
{
    public static readonly double[] DefaultDelaysMs = [10, 20, 40];

    /// <summary>Edge mode's round trips for coefficient sets (the must-show).</summary>
    public static readonly double[] EdgeDelaysMs = [20, 40, 100];

    public static List<EvalCase> DefaultPlan(int sampleRate, int filterLength)
    {
        var plan = new List<EvalCase>();
        foreach (var scenario in Scenarios.Names)
        {
            foreach (var delay in DefaultDelaysMs)
                foreach (var algorithm in Enum.GetValues<AdaptiveAlgorithm>())
                    plan.Add(new EvalCase(scenario, CancellerMode.AntiNoise, algorithm, delay, sampleRate, filterLength, null));
            foreach (var algorithm in Enum.GetValues<AdaptiveAlgorithm>())
                plan.Add(new EvalCase(scenario, CancellerMode.Clean, algorithm, 0, sampleRate, filterLength, null));
            foreach (var peer in PeerFactory.Names)
                plan.Add(new EvalCase(scenario, CancellerMode.Clean, AdaptiveAlgorithm.Nlms, 0, sampleRate, filterLength, peer));
            foreach (var delay in EdgeDelaysMs)
                plan.Add(new EvalCase(scenario, CancellerMode.Edge, AdaptiveAlgorithm.Nlms, delay, sampleRate, filterLength, null));
        }
        plan.AddRange(RecordingCases(filterLength));
        return plan;
    }

    /// <summary>The delay the committed recordings run at in the default plan (the must-show: D = 40 ms).</summary>
    public const double RecordingDelayMs = 40;

    /// <summary>
    /// The committed real recordings (<see cref="NoiseRecordings"/>), at their own rate (48 kHz): edge mode and, beside
    /// it, antinoise (hybrid) at the same D. None when the build did not copy them.
    /// </summary>
    public static IEnumerable<EvalCase> RecordingCases(int filterLength)
    {
        if (!NoiseRecordings.Available) yield break;
        foreach (var name in NoiseRecordings.Names)
        {
            yield return new EvalCase(name, CancellerMode.Edge, AdaptiveAlgorithm.Nlms, RecordingDelayMs, NoiseRecordings.SampleRate, filterLength, null);
            yield return new EvalCase(name, CancellerMode.AntiNoise, AdaptiveAlgorithm.Hybrid, RecordingDelayMs, NoiseRecordings.SampleRate, filterLength, null);
        }
    }

    public static EvalResult Run(EvalCase c, AcousticScene scene, AncSettings baseSettings, EdgeSettings? edgeSettings = null)
    {
        if (c.Mode == CancellerMode.Edge)
            return EdgeEvaluation.Run(scene, (edgeSettings ?? new EdgeSettings()) with { FilterLength = c.FilterLength, UpdateMs = c.UpdateMs }, c.DelayMs);
        var settings = baseSettings with
        {
            SampleRate = c.SampleRate,
            FilterLength = c.FilterLength,
            Algorithm = c.Algorithm,
            Mode = c.Mode,
            DelaySamples = AncSettings.MillisecondsToSamples(c.DelayMs, c.SampleRate),
        };
        if (c.Mode == CancellerMode.AntiNoise) return AncEvaluation.RunAntiNoise(scene, settings);
        using var canceller = c.Peer is null
            ? new OursClean(settings, c.SampleRate / 100)
            : PeerFactory.Create(c.Peer, c.SampleRate, c.FilterLength);
        return AncEvaluation.RunClean(scene, canceller, settings);
    }

    /// <summary>Runs every case (in parallel) and returns the results in plan order.</summary>
    public static EvalResult[] RunAll(IReadOnlyList<EvalCase> plan, Func<EvalCase, AcousticScene> sceneFor, AncSettings baseSettings, Action<EvalResult>? progress = null,
        EdgeSettings? edgeSettings = null)
    {
        var results = new EvalResult[plan.Count];
        Parallel.For(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            results[i] = Run(plan[i], sceneFor(plan[i]), baseSettings, edgeSettings);
            progress?.Invoke(results[i]);
        });
        return results;
    }
}
