using AncOrleans.Peers;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Bench;

/// <summary>
/// One stream's canceller plus one second of preallocated 48 kHz audio from one scenario (<see cref="DefaultScenarios"/>:
/// the tonal tracker searches on broadband and locks on hum and engine-runup). <see cref="ProcessOneSecond"/> runs exactly
/// <see cref="SamplesPerRun"/> samples through it in the canceller's native block size and allocates nothing itself
/// (the NWaves peer allocates inside NWaves; that is its own cost). Shared by the BenchmarkDotNet classes and --quick.
/// </summary>
internal abstract class StreamWorkload : IDisposable
{
    public const int SampleRate = 48_000;
    public const int SamplesPerRun = SampleRate; // 1 s of audio per invocation
    public const int FilterLength = 512;
    public const double DelayMs = 20;
    public const int DelaySamples = 960;         // 20 ms at 48 kHz
    public const int FrameSamples = 480;         // 10 ms frames
    public const int Seed = 1;

    /// <summary>The scenarios the canceller, the peers and the edge cases run on when <c>--scenario</c> is not given, in report order.</summary>
    public static readonly IReadOnlyList<string> DefaultScenarios = ["broadband", "hum", "engine-runup"];

    /// <summary>The one scene the recognition cases (classifier, emergency, recognition, patterns) run on.</summary>
    public const string RecognitionScenario = "broadband";

    /// <summary>Benchmark names in report order: ours (antinoise mode), then the peers (clean mode).</summary>
    public static readonly IReadOnlyList<string> Names = ["nlms", "rls", "hybrid", NWavesNlmsPeer.PeerName, SpeexMdfPeer.PeerName, "classifier", "emergency", "recognition", "patterns", .. SessionWorkload.SessionNames, .. EdgeWorkload.EdgeNames];

    /// <summary>The per-session recognition work: the classifier grain's, the emergency grain's, and both together.</summary>
    public static readonly IReadOnlyList<string> RecognitionNames = ["classifier", "emergency", "recognition", "patterns"];

    public static readonly IReadOnlyList<string> OurNames = ["nlms", "rls", "hybrid"];

    public static readonly IReadOnlyList<string> PeerNames = [NWavesNlmsPeer.PeerName, SpeexMdfPeer.PeerName];

    private static readonly Dictionary<string, AcousticScene> SceneCache = [];

    protected StreamWorkload(string name, string scenario)
    {
        Name = name;
        Scenario = scenario;
        Scene = SceneOf(scenario);
        Reference = Scene.Reference;
        Disturbance = Scene.Disturbance;
        Output = new float[SamplesPerRun];
    }

    public string Name { get; }

    /// <summary>The scenario the second of audio comes from.</summary>
    public string Scenario { get; }

    /// <summary>The scenario's one-second scene.</summary>
    protected AcousticScene Scene { get; }

    protected float[] Reference { get; }

    protected float[] Disturbance { get; }

    protected float[] Output { get; }

    /// <summary>The scenario's scene, exactly one second long, built once per process.</summary>
    public static AcousticScene SceneOf(string scenario)
    {
        lock (SceneCache)
        {
            if (!SceneCache.TryGetValue(scenario, out var scene))
                SceneCache[scenario] = scene = Scenarios.Create(scenario, SampleRate, (double)SamplesPerRun / SampleRate, DelayMs, Seed);
            return scene;
        }
    }

    /// <summary>True for the cases measured on every scenario asked for: ours, the peers and the cloud's edge canceller.</summary>
    public static bool IsPerScenario(string name) => OurNames.Contains(name) || PeerNames.Contains(name) || EdgeWorkload.IsEdge(name);

    /// <summary>The scene a case with one fixed scene runs on: hum for the session cases, broadband for the recognition cases.</summary>
    public static string FixedScenarioOf(string name) => SessionWorkload.IsSession(name) ? SessionWorkload.SessionScenario : RecognitionScenario;

    /// <summary>What the JSON's <c>mode</c> says: antinoise (ours, the session), edge (the cloud's edge canceller), clean (the peers), none (recognition alone).</summary>
    public static string ModeOf(string name) =>
        EdgeWorkload.IsEdge(name) ? "edge"
        : OurNames.Contains(name) || SessionWorkload.IsSession(name) ? "antinoise"
        : PeerNames.Contains(name) ? "clean"
        : "none";

    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="scenario">The scene; cases with a fixed scene (<see cref="IsPerScenario"/> false) require theirs.</param>
    public static StreamWorkload Create(string name, string scenario)
    {
        if (!Scenarios.Names.Contains(scenario))
            throw new ArgumentException($"Unknown scenario '{scenario}'. Known: {string.Join(", ", Scenarios.Names)}.");
        if (Names.Contains(name) && !IsPerScenario(name) && scenario != FixedScenarioOf(name))
            throw new ArgumentException($"'{name}' runs on {FixedScenarioOf(name)} only, not on {scenario}.");
        return name switch
        {
            "nlms" => new OursWorkload(name, scenario, AdaptiveAlgorithm.Nlms),
            "rls" => new OursWorkload(name, scenario, AdaptiveAlgorithm.Rls),
            "hybrid" => new OursWorkload(name, scenario, AdaptiveAlgorithm.Hybrid),
            NWavesNlmsPeer.PeerName => new PeerWorkload(name, scenario, new NWavesNlmsPeer(FilterLength, blockSize: FrameSamples)),
            SpeexMdfPeer.PeerName => new PeerWorkload(name, scenario, CreateSpeex()),
            "classifier" => new ClassifierWorkload(name),
            "emergency" => new EmergencyWorkload(name, withClassifier: false),
            "recognition" => new EmergencyWorkload(name, withClassifier: true),
            "patterns" => new PatternsWorkload(name),
            _ when SessionWorkload.IsSession(name) => new SessionWorkload(name),
            _ when EdgeWorkload.IsEdge(name) => new EdgeWorkload(name, scenario),
            _ => throw new ArgumentException($"Unknown benchmark '{name}'. Known: {string.Join(", ", Names)}."),
        };
    }

    /// <summary>Creates the workload and runs <paramref name="warmupSeconds"/> seconds of audio through it.</summary>
    public static StreamWorkload CreateWarm(string name, string scenario, int warmupSeconds)
    {
        var workload = Create(name, scenario);
        for (var i = 0; i < warmupSeconds; i++) workload.ProcessOneSecond();
        return workload;
    }

    /// <summary>Processes exactly one second (48,000 samples); returns the last output sample so nothing is dead code.</summary>
    public abstract float ProcessOneSecond();

    public virtual void Dispose()
    {
    }

    private static SpeexMdfPeer CreateSpeex()
    {
        if (!SpeexMdfPeer.IsAvailable(out var error))
            throw new InvalidOperationException(error ?? "libspeexdsp could not be loaded.");
        return new SpeexMdfPeer(SampleRate, FrameSamples, FilterLength);
    }

    /// <summary>
    /// What every session's classifier grain costs per second of 48 kHz audio: resampling to 16 kHz, the log-mel
    /// features (one 512-point FFT per 16 ms) and one prediction of the embedded model (its CNN on the log-mel patch, blended
    /// with the feature model unless the CNN's blend is 1).
    /// </summary>
    private sealed class ClassifierWorkload(string name) : StreamWorkload(name, RecognitionScenario)
    {
        private readonly Dsp.Classification.NoiseFeatures _features = new(SampleRate);
        private readonly Dsp.Classification.NoiseClassifierModel _model =
            Dsp.Classification.NoiseClassifierModel.Load(Dsp.Classification.NoiseClassifierModel.DefaultPath);
        private float _last;

        public override float ProcessOneSecond()
        {
            Reference.CopyTo(Output, 0); // the features filter their input in place
            for (var start = 0; start < SamplesPerRun; start += FrameSamples)
                _features.Push(Output.AsSpan(start, FrameSamples), window => _last = _model.Predict(window, _features.Patch)[0]);
            return _last;
        }
    }

    /// <summary>
    /// What every session's emergency grain costs per second of 48 kHz audio: the DSP patterns, the classifier's
    /// features and model once a window, and the fusion (<see cref="Dsp.Emergency.FusedEmergencyDetector"/>); with
    /// <c>withClassifier</c> also the classifier grain's own features and prediction — the whole recognition cost
    /// of one session (the two grains each compute the features today).
    /// </summary>
    private sealed class EmergencyWorkload : StreamWorkload
    {
        private readonly Dsp.Emergency.FusedEmergencyDetector _detector;
        private readonly ClassifierWorkload? _classifier;

        public EmergencyWorkload(string name, bool withClassifier)
            : base(name, RecognitionScenario)
        {
            _detector = new Dsp.Emergency.FusedEmergencyDetector(SampleRate,
                Dsp.Classification.NoiseClassifierModel.LoadShared(Dsp.Classification.NoiseClassifierModel.DefaultPath));
            _classifier = withClassifier ? new ClassifierWorkload(name) : null;
        }

        public override float ProcessOneSecond()
        {
            for (var start = 0; start < SamplesPerRun; start += FrameSamples)
                _detector.Push(Reference.AsSpan(start, FrameSamples));
            return (_classifier?.ProcessOneSecond() ?? 0) + (_detector.Active is null ? 0 : 1);
        }
    }

    /// <summary>The DSP pattern detectors alone (<see cref="Dsp.Emergency.EmergencyDetector"/>), without the classifier.</summary>
    private sealed class PatternsWorkload(string name) : StreamWorkload(name, RecognitionScenario)
    {
        private readonly Dsp.Emergency.EmergencyDetector _detector = new(SampleRate);

        public override float ProcessOneSecond()
        {
            for (var start = 0; start < SamplesPerRun; start += FrameSamples)
                _detector.Push(Reference.AsSpan(start, FrameSamples));
            return _detector.Active is null ? 0 : 1;
        }
    }

    /// <summary>Our <see cref="AncProcessor"/> in antinoise mode: D = 20 ms, 10 ms blocks, Ŝ = the scene's secondary path.</summary>
    private sealed class OursWorkload : StreamWorkload
    {
        private readonly AncProcessor _processor;

        public OursWorkload(string name, string scenario, AdaptiveAlgorithm algorithm)
            : base(name, scenario)
        {
            _processor = new AncProcessor(new AncSettings
            {
                Mode = CancellerMode.AntiNoise,
                Algorithm = algorithm,
                SampleRate = SampleRate,
                FilterLength = FilterLength,
                DelaySamples = DelaySamples,
                SecondaryPath = Scene.SecondaryPath,
            });
        }

        public override float ProcessOneSecond()
        {
            var reference = Reference.AsSpan();
            var error = Disturbance.AsSpan(); // open loop: speed does not depend on closing the acoustic loop
            var output = Output.AsSpan();
            for (var offset = 0; offset < SamplesPerRun; offset += FrameSamples)
            {
                _processor.ProcessAntiNoise(
                    reference.Slice(offset, FrameSamples),
                    error.Slice(offset, FrameSamples),
                    output.Slice(offset, FrameSamples));
            }
            return output[^1];
        }
    }

    /// <summary>A peer in clean mode (x = reference, d = disturbance), fed blocks of its own <see cref="ICleanCanceller.BlockSize"/>.</summary>
    private sealed class PeerWorkload : StreamWorkload
    {
        private readonly ICleanCanceller _peer;
        private readonly int _block;

        public PeerWorkload(string name, string scenario, ICleanCanceller peer)
            : base(name, scenario)
        {
            _peer = peer;
            _block = peer.BlockSize;
            if (SamplesPerRun % _block != 0)
                throw new InvalidOperationException($"{peer.Name}: block size {_block} does not divide {SamplesPerRun} samples.");
        }

        public override float ProcessOneSecond()
        {
            var reference = Reference.AsSpan();
            var primary = Disturbance.AsSpan();
            var output = Output.AsSpan();
            for (var offset = 0; offset < SamplesPerRun; offset += _block)
            {
                _peer.Process(
                    reference.Slice(offset, _block),
                    primary.Slice(offset, _block),
                    output.Slice(offset, _block));
            }
            return output[^1];
        }

        public override void Dispose() => _peer.Dispose();
    }
}
