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

    /// <summary>
    /// The per-session recognition work: the classifier grain's (since issue 13 only the hysteresis on the windows the
    /// emergency grain forwards), the emergency grain's (patterns, features, model, fusion), both together, and the DSP
    /// patterns alone.
    /// </summary>
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
    /// What every session's classifier grain costs per second of 48 kHz audio since issue 13 (one recognition pass per
    /// session): no features and no model — it gets each window's features and the embedded model's probabilities from
    /// the emergency grain — only the embedded backend's answer from those probabilities (a dictionary by label) and the
    /// <see cref="Dsp.Classification.ProfileSelector"/>'s hysteresis, once per window (≈ 1 s). The window is a real one
    /// (the fused detector's first on the scene), computed once at construction. The Orleans call that carries the
    /// window (one per second, ≈ 1.2 KB) is not in it. (Before issue 13 this case was the grain's own features and
    /// prediction: 2.6–3.2 ms per audio second.)
    /// </summary>
    private sealed class ClassifierWorkload : StreamWorkload
    {
        private readonly ClassifierListener _listener = new();
        private readonly float[] _features, _probabilities;
        private readonly string[] _labels;
        private double _seconds;

        public ClassifierWorkload(string name)
            : base(name, RecognitionScenario)
        {
            var detector = new Dsp.Emergency.FusedEmergencyDetector(SampleRate,
                Dsp.Classification.NoiseClassifierModel.LoadShared(Dsp.Classification.NoiseClassifierModel.DefaultPath));
            (float[] Features, float[]? Probabilities)? first = null;
            detector.WindowFinished += (features, probabilities) => first ??= (features, probabilities);
            detector.Push(Reference);
            (_features, var probabilities) = first ?? throw new InvalidOperationException("no classifier window in one second of audio");
            _probabilities = probabilities!;
            _labels = detector.Labels;
        }

        public override float ProcessOneSecond()
        {
            _seconds += 1;
            return _listener.OnWindow(_features, _probabilities, _labels, _seconds);
        }
    }

    /// <summary>
    /// What the classifier grain runs on one window the emergency grain forwarded (ClassifierGrain with the embedded
    /// backend): the forwarded record, the probabilities by label, the hysteresis.
    /// </summary>
    internal sealed class ClassifierListener
    {
        private readonly Dsp.Classification.ProfileSelector _selector = new(new Grains.Classification.ClassifierOptions().Selector);

        public float OnWindow(float[] features, float[]? probabilities, string[]? labels, double seconds)
        {
            var window = new Abstractions.ClassifierWindow("bench", seconds, features, probabilities, labels);
            var byLabel = Grains.Classification.EmbeddedClassifierBackend.ByLabel(window.Labels!, window.Probabilities!);
            return _selector.Update(byLabel, window.Seconds).Any ? 1 : 0;
        }
    }

    /// <summary>
    /// What every session's emergency grain costs per second of 48 kHz audio: the DSP patterns, the classifier's
    /// features and model once a window, and the fusion (<see cref="Dsp.Emergency.FusedEmergencyDetector"/>), and
    /// each window handed over for the classifier grain. With <c>withClassifier</c> (<c>recognition</c>) also the
    /// classifier grain's work on those windows (<see cref="ClassifierListener"/>): the whole recognition cost of one
    /// session. Since issue 13 the features and the prediction run once per window per session (before, the classifier
    /// grain computed them again: recognition was emergency + 2.6–3.2 ms).
    /// </summary>
    private sealed class EmergencyWorkload : StreamWorkload
    {
        private readonly Dsp.Emergency.FusedEmergencyDetector _detector;
        private readonly ClassifierListener? _classifier;
        private readonly List<(float[] Features, float[]? Probabilities)> _windows = [];
        private double _seconds;
        private float _sink;

        public EmergencyWorkload(string name, bool withClassifier)
            : base(name, RecognitionScenario)
        {
            _detector = new Dsp.Emergency.FusedEmergencyDetector(SampleRate,
                Dsp.Classification.NoiseClassifierModel.LoadShared(Dsp.Classification.NoiseClassifierModel.DefaultPath));
            _detector.WindowFinished += (features, probabilities) => _windows.Add((features, probabilities));
            _classifier = withClassifier ? new ClassifierListener() : null;
        }

        public override float ProcessOneSecond()
        {
            for (var start = 0; start < SamplesPerRun; start += FrameSamples)
                _detector.Push(Reference.AsSpan(start, FrameSamples));
            _seconds += 1;
            foreach (var (features, probabilities) in _windows)
            {
                var window = new Abstractions.ClassifierWindow("bench", _seconds, features, probabilities, _detector.Labels); // as the emergency grain forwards it
                _sink += _classifier?.OnWindow(window.Features, window.Probabilities, window.Labels, window.Seconds) ?? window.Features.Length;
            }
            _windows.Clear();
            return _sink + (_detector.Active is null ? 0 : 1);
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
