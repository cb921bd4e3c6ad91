using AncOrleans.Peers;
using BenchmarkDotNet.Attributes;

namespace AncOrleans.Bench;

/// <summary>
/// CPU per second of 48 kHz audio for one stream at L = 512. Every invocation processes exactly one second
/// (48,000 samples) of one scenario from preallocated buffers; the canceller is built and warmed up (2 s of audio) in
/// <see cref="Setup"/>, so the measured method only runs the DSP.
/// </summary>
public abstract class StreamBenchmarkBase
{
    private StreamWorkload? _workload;

    /// <summary>The reported name (nlms, rls, hybrid, nwaves-nlms, speexdsp-mdf).</summary>
    public abstract string Name { get; set; }

    /// <summary>The scenario (broadband, hum, engine-runup, or another of <c>Scenarios.Names</c>); Program's filter keeps the ones asked for.</summary>
    public abstract string Scenario { get; set; }

    /// <summary>Every known scenario, for the cases measured per scenario.</summary>
    public static IEnumerable<string> AllScenarios => AncOrleans.Acoustics.Scenes.Scenarios.Names;

    [GlobalSetup]
    public void Setup() => _workload = StreamWorkload.CreateWarm(Name, Scenario, warmupSeconds: 2);

    [Benchmark(Description = "1 s of audio")]
    public float OneSecond() => _workload!.ProcessOneSecond();

    [GlobalCleanup]
    public void Cleanup()
    {
        _workload?.Dispose();
        _workload = null;
    }
}

/// <summary>Ours: AncProcessor, antinoise mode, D = 20 ms (960 samples), 10 ms blocks (480 samples).</summary>
public class OursBenchmarks : StreamBenchmarkBase
{
    [Params("nlms", "rls", "hybrid")]
    public override string Name { get; set; } = "";

    [ParamsSource(nameof(AllScenarios))]
    public override string Scenario { get; set; } = "";
}

/// <summary>Peers: NWaves NLMS and SpeexDSP MDF (frame 480, tail 512), clean mode, blocks of their BlockSize.</summary>
public class PeerBenchmarks : StreamBenchmarkBase
{
    [Params(NWavesNlmsPeer.PeerName, SpeexMdfPeer.PeerName)]
    public override string Name { get; set; } = "";

    [ParamsSource(nameof(AllScenarios))]
    public override string Scenario { get; set; } = "";
}

/// <summary>The classifier grain's per-session work (features and one model prediction per second), the emergency grain's (patterns + classifier, fused), and both.</summary>
public class ClassifierBenchmarks : StreamBenchmarkBase
{
    [Params("classifier", "emergency", "recognition", "patterns")]
    public override string Name { get; set; } = "";

    [Params(StreamWorkload.RecognitionScenario)]
    public override string Scenario { get; set; } = "";
}
