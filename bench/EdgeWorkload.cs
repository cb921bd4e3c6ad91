using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp;
using BenchmarkDotNet.Attributes;

namespace AncOrleans.Bench;

/// <summary>
/// The cloud's side of edge mode for one device (<see cref="EdgeCanceller"/>: replica of the device's filter, Ŝ*y,
/// Ŝ*x, the block NLMS, the set export), converged, fed 10 ms frames of 48 kHz audio of one scenario, at a duty cycle
/// of 1 or 0.25. Built from 4 s of the scenario run through the device and the cloud as the bench does; the device then keeps the
/// last set, and the last second's (x, e), tagged with that set, is what every round feeds the cloud. The device's
/// own filter is not timed (it runs on the device). The second loops, so the replica's history is slightly wrong for
/// the first L samples of each round, and e stays the one recorded with the last set of the build-up while the tag
/// follows the sets the cloud sends (applied at once, as a device would within D + U): near convergence the sets differ
/// by < −54 dB, so this changes what is adapted on slightly, not how much work it is.
/// </summary>
internal sealed class EdgeWorkload : StreamWorkload
{
    public static readonly IReadOnlyList<string> EdgeNames = ["edge-cloud", "edge-cloud-duty-0.25"];

    private readonly EdgeCanceller _cloud;
    private readonly float[] _x = new float[SamplesPerRun], _e = new float[SamplesPerRun];
    private EdgeTag _tag;
    private float _last;

    public EdgeWorkload(string name, string scenario) : base(name, scenario)
    {
        var duty = name == "edge-cloud-duty-0.25" ? 0.25 : 1.0;
        const int seconds = 4;
        var scene = Scenarios.Create(scenario, SampleRate, seconds, DelayMs, Seed);
        _cloud = new EdgeCanceller(new EdgeSettings { SecondaryPath = scene.SecondaryPath, DutyCycle = duty });
        var device = new EdgeFilter(_cloud.Length);
        var secondary = new FirFilter(scene.SecondaryPath);
        var y = new float[FrameSamples];
        var heard = new float[FrameSamples];
        var scratch = new float[FrameSamples + scene.SecondaryPath.Length];
        var e = new float[FrameSamples];
        for (var start = 0; start < scene.Length; start += FrameSamples)
        {
            var tag = new EdgeTag(device.Version, device.FadingFrom, device.FadeElapsed);
            var x = scene.Reference.AsSpan(start, FrameSamples);
            device.Process(x, y);
            secondary.ProcessBlock(y, heard, scratch);
            for (var i = 0; i < FrameSamples; i++) e[i] = scene.Disturbance[start + i] + heard[i];
            var from = start - (scene.Length - SamplesPerRun);
            if (from >= 0)
            {
                x.CopyTo(_x.AsSpan(from));
                e.CopyTo(_e.AsSpan(from));
            }
            if (from < 0 && _cloud.Process(x, e, tag) is { } set) device.Apply(set.Version, set.Taps, set.CrossfadeSamples);
        }
        _tag = EdgeTag.Steady(device.Version);
        if (!_cloud.Converged) throw new InvalidOperationException($"The edge workload on {scenario} did not converge ({_cloud.PredictedReductionDb:0.0} dB).");
    }

    public static bool IsEdge(string name) => EdgeNames.Contains(name);

    public override float ProcessOneSecond()
    {
        for (var start = 0; start < SamplesPerRun; start += FrameSamples)
        {
            if (_cloud.Process(_x.AsSpan(start, FrameSamples), _e.AsSpan(start, FrameSamples), _tag) is not { } set) continue;
            _tag = EdgeTag.Steady(set.Version); // the device applies each set at once (so its version stays one the cloud holds)
            _last = set.Taps[0];
        }
        return _last;
    }
}

/// <summary>The cloud's edge-mode work per device (<see cref="EdgeWorkload"/>): duty cycle 1 and 0.25.</summary>
public class EdgeBenchmarks : StreamBenchmarkBase
{
    [Params("edge-cloud", "edge-cloud-duty-0.25")]
    public override string Name { get; set; } = "";

    [ParamsSource(nameof(AllScenarios))]
    public override string Scenario { get; set; } = "";
}
