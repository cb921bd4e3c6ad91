using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Sessions;
using BenchmarkDotNet.Attributes;

namespace AncOrleans.Bench;

/// <summary>
/// What a whole session costs per second of audio, without Orleans: the <see cref="SessionPipeline"/> the session
/// grain runs (the codec's checks and de-interleave of an int16 wire frame, the hybrid canceller in antinoise mode,
/// the reply written in the device's format, the feature batch) and what its two listener grains run on each
/// 100 ms batch (the emergency detector; the classifier's features and one prediction of the embedded model per
/// window). On the <c>hum</c> scene, the product's main case, where the tonal tracker locks.
/// <c>sessions-N</c> serves N such sessions round-robin, one 10 ms frame each in turn, so each frame finds the
/// previous session's state evicted from the caches as a busy silo would; one invocation is still one second of
/// audio (100 frames) in total.
/// </summary>
internal sealed class SessionWorkload : StreamWorkload
{
    public const string SessionScenario = "hum";
    public static readonly IReadOnlyList<string> SessionNames = ["session", "sessions-1", "sessions-64", "sessions-512"];

    private static NoiseClassifierModel? _model;
    private readonly Session[] _sessions;
    private readonly AudioFrame[] _frames;
    private readonly float[] _samples = new float[48_000];
    private int _next;
    private float _sink;

    public SessionWorkload(string name)
        : base(name, SessionScenario)
    {
        var count = name == "session" ? 1 : int.Parse(name["sessions-".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var scene = Scene;
        _model ??= NoiseClassifierModel.LoadShared(NoiseClassifierModel.DefaultPath);
        _frames = new AudioFrame[SamplesPerRun / FrameSamples];
        for (var k = 0; k < _frames.Length; k++)
        {
            var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(k * FrameSamples, FrameSamples), scene.Disturbance.AsSpan(k * FrameSamples, FrameSamples), SampleFormat.Int16);
            _frames[k] = new AudioFrame(k, k * 10_000L, SampleRate, SampleFormat.Int16, FrameSamples, pcm);
        }
        var config = new SessionConfig(SampleRate: SampleRate, DelayMs: DelayMs, FilterLength: FilterLength, SecondaryPath: scene.SecondaryPath, FrameSamples: FrameSamples);
        _sessions = new Session[count];
        for (var i = 0; i < count; i++)
        {
            var id = $"bench-{i}";
            var pipeline = new SessionPipeline(id, new SessionGrainOptions(), new SessionCheckpoint());
            pipeline.Configure(config);
            _sessions[i] = new Session(pipeline, new FeatureBatcher(id), new FusedEmergencyDetector(SampleRate, _model));
        }
    }

    public static bool IsSession(string name) => SessionNames.Contains(name);

    /// <summary>
    /// <c>--session-memory</c>: the managed heap (after a full, compacting GC) that 100 sessions add once each has
    /// streamed 2 s, in all and by part: the pipeline (canceller, buffers, checkpoint state), the emergency detector
    /// (fused: patterns, the classifier's features, the fusion) with the classifier's hysteresis on its windows; the
    /// classifier keeps no features of its own since issue 13 (<c>classifierFeaturesKb</c> is 0). What a silo adds on
    /// top (three activations, the stored checkpoint) is not in it.
    /// </summary>
    public static void PrintMemoryPerSession(TextWriter output)
    {
        const int count = 100;
        var scene = SceneOf(SessionScenario);
        var config = new SessionConfig(SampleRate: SampleRate, DelayMs: DelayMs, FilterLength: FilterLength, SecondaryPath: scene.SecondaryPath, FrameSamples: FrameSamples);
        long Heap()
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            return GC.GetTotalMemory(forceFullCollection: true);
        }
        var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(0, FrameSamples), scene.Disturbance.AsSpan(0, FrameSamples), SampleFormat.Int16);
        var samples = scene.Reference.AsSpan(0, 4_800).ToArray();
        // The model and what its first predictions allocate are shared by all sessions: loaded and run before the count.
        var model = NoiseClassifierModel.LoadShared(NoiseClassifierModel.DefaultPath);
        var warm = new FusedEmergencyDetector(SampleRate, model);
        for (var k = 0; k < 20; k++) warm.Push(samples);
        var before = Heap();
        var pipelines = new SessionPipeline[count];
        for (var i = 0; i < count; i++)
        {
            pipelines[i] = new SessionPipeline($"m-{i}", new SessionGrainOptions(), new SessionCheckpoint());
            pipelines[i].Configure(config);
            for (var k = 0; k < 200; k++) pipelines[i].Process(new AudioFrame(k, k * 10_000L, SampleRate, SampleFormat.Int16, FrameSamples, pcm), null, out _);
            pipelines[i].SaveFilterState();
        }
        var afterPipelines = Heap();
        var detectors = new FusedEmergencyDetector[count];
        var classifiers = new ClassifierListener[count];
        for (var i = 0; i < count; i++)
        {
            detectors[i] = new FusedEmergencyDetector(SampleRate, model);
            classifiers[i] = new ClassifierListener();
            var classifier = classifiers[i];
            var detector = detectors[i];
            detector.WindowFinished += (features, probabilities) => classifier.OnWindow(features, probabilities, detector.Labels, 1);
            for (var k = 0; k < 20; k++) detectors[i].Push(samples);
        }
        var afterDetectors = Heap();
        var afterFeatures = afterDetectors;
        GC.KeepAlive(pipelines);
        GC.KeepAlive(detectors);
        GC.KeepAlive(classifiers);
        GC.KeepAlive(warm);
        output.WriteLine(System.Text.Json.JsonSerializer.Serialize(new
        {
            name = "session-memory",
            sessions = count,
            kbPerSession = Math.Round((afterFeatures - before) / 1024.0 / count, 1),
            pipelineKb = Math.Round((afterPipelines - before) / 1024.0 / count, 1),
            emergencyDetectorKb = Math.Round((afterDetectors - afterPipelines) / 1024.0 / count, 1), // fused: patterns, features, fusion, the classifier's selector
            classifierFeaturesKb = 0.0, // since issue 13 the classifier grain keeps no features of its own
        }));
    }

    public override float ProcessOneSecond()
    {
        for (var f = 0; f < _frames.Length; f++)
        {
            var session = _sessions[_next++ % _sessions.Length];
            var frame = _frames[session.Frame++ % _frames.Length] with { Sequence = session.Sequence++ };
            var reply = session.Pipeline.Process(frame, session.Batcher, out var batch);
            _sink += reply.Message.Length;
            ReplyBuffers.Shared.Give(reply.Message); // as the gateway's WebSocket send loop does once the reply is sent
            if (batch is null) continue;
            // The listeners on the batch: the EmergencyGrain, and the ClassifierGrain on the windows it forwards.
            var samples = _samples.AsSpan(0, batch.SampleCount);
            FrameCodec.DecodePcm16(batch.ReferencePcm16, samples);
            session.Detector.Push(samples);
            session.Batcher.Return(batch); // as the grain's publisher does once the emergency grain has the batch
            _sink += session.Sink;
        }
        return _sink;
    }

    private sealed class Session
    {
        private readonly ClassifierListener _classifier = new();
        private double _seconds;

        public Session(SessionPipeline pipeline, FeatureBatcher batcher, FusedEmergencyDetector detector)
        {
            Pipeline = pipeline;
            Batcher = batcher;
            Detector = detector;
            detector.WindowFinished += (features, probabilities) => Sink += _classifier.OnWindow(features, probabilities, detector.Labels, _seconds += 1);
        }

        public SessionPipeline Pipeline { get; }
        public FeatureBatcher Batcher { get; }
        public FusedEmergencyDetector Detector { get; }
        public float Sink { get; private set; }
        public int Frame { get; set; }
        public long Sequence { get; set; }
    }
}

/// <summary>The whole session (<c>session</c>) and N sessions round-robin (<c>sessions-N</c>), on hum.</summary>
public class SessionBenchmarks : StreamBenchmarkBase
{
    [Params("session", "sessions-1", "sessions-64", "sessions-512")]
    public override string Name { get; set; } = "";

    [Params(SessionWorkload.SessionScenario)]
    public override string Scenario { get; set; } = "";
}
