using System.Diagnostics;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Classification;
using AncOrleans.Grains.Emergency;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains;

/// <summary>
/// Before a silo joins the cluster as active (a fresh ECS task at scale-out, a restarted pod), runs a session's
/// frame path in-process, so the first sessions placed on it do not pay for JIT compilation (issue 13: a fresh worker
/// silo lost 1,500 of its first 4,000 frames): the pipeline (codec, hybrid canceller with its tracker locked, reply,
/// feature batches) on a tonal scene, an edge-mode pipeline, the emergency detector (fused with the model) and the
/// classifier's features and prediction on the batches. It then keeps sending frames until the tiered JIT spends
/// less than 1 % of a 0.5 s window compiling (tier-1 code in place), at most <c>Session:WarmupSeconds</c>.
/// Runs at <see cref="ServiceLifecycleStage.ApplicationServices"/>, before <see cref="ServiceLifecycleStage.BecomeActive"/>:
/// no grain is placed here until it is done. Orleans' own messaging is warmed by the gateway's warm-up.
/// A failure is logged and start-up goes on.
/// </summary>
internal sealed class SiloWarmup(IOptions<SessionGrainOptions> sessions, IOptions<ClassifierOptions> classifier,
    INoiseClassifierBackend backend, ILogger<SiloWarmup> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const string Id = "silo-warmup";

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloWarmup), ServiceLifecycleStage.ApplicationServices, RunAsync, _ => Task.CompletedTask);

    private async Task RunAsync(CancellationToken cancel)
    {
        var limit = TimeSpan.FromSeconds(sessions.Value.WarmupSeconds);
        if (limit <= TimeSpan.Zero) return;
        var clock = Stopwatch.StartNew();
        try
        {
            var listeners = new Listeners(classifier.Value, backend);
            var frame = 0;
            var pipeline = Pipeline(new SessionConfig(SampleRate: WarmupAudio.Rate, FrameSamples: WarmupAudio.FrameSamples));
            var batcher = new FeatureBatcher(Id, sessions.Value.FeatureBatchMs);
            for (; frame < 300 && !cancel.IsCancellationRequested; frame++) await RunAsync(pipeline, batcher, listeners, WarmupAudio.Frame(frame));
            var edge = Pipeline(new SessionConfig(SampleRate: WarmupAudio.Rate, FrameSamples: WarmupAudio.FrameSamples, Mode: "edge"));
            for (var f = 0; f < 100 && !cancel.IsCancellationRequested; f++)
                edge.Process(WarmupAudio.Frame(f) with { Edge = new EdgeVersionTag(0, 0, 0) }, null, out _);
            var jitShare = 1.0;
            var before = System.Runtime.JitInfo.GetCompilationTime();
            while (clock.Elapsed < limit && !cancel.IsCancellationRequested)
            {
                var window = Stopwatch.StartNew();
                while (window.ElapsedMilliseconds < 500) await RunAsync(pipeline, batcher, listeners, WarmupAudio.Frame(frame++));
                var now = System.Runtime.JitInfo.GetCompilationTime();
                jitShare = (now - before) / window.Elapsed;
                before = now;
                if (jitShare < 0.01) break;
            }
            logger.LogInformation("Silo warm-up: {Frames} frames in {Seconds:0.0} s (last 0.5 s {Share:P1} compiling; {JitMs:0} ms JIT in all)",
                frame, clock.Elapsed.TotalSeconds, jitShare, System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Silo warm-up failed after {Ms} ms; the first sessions here may miss deadlines", clock.ElapsedMilliseconds);
        }
    }

    private SessionPipeline Pipeline(SessionConfig config)
    {
        var pipeline = new SessionPipeline(Id, sessions.Value, new SessionCheckpoint());
        pipeline.Configure(config);
        return pipeline;
    }

    private static async Task RunAsync(SessionPipeline pipeline, FeatureBatcher batcher, Listeners listeners, AudioFrame frame)
    {
        pipeline.Process(frame, batcher, out var batch);
        if (batch is not null) await listeners.PushAsync(batch);
    }

    // What the session's emergency and classifier grains run on a batch, without the grains: the detector, and the
    // classifier backend on each window the detector hands over (as the emergency grain forwards it).
    private sealed class Listeners
    {
        private readonly IEmergencyDetector _emergency;
        private readonly INoiseClassifierBackend _backend;
        private readonly List<ClassifierWindow> _windows = [];
        private float[] _samples = [];

        public Listeners(ClassifierOptions options, INoiseClassifierBackend backend)
        {
            _backend = backend;
            _emergency = EmergencyDetectors.Create(options, WarmupAudio.Rate);
            if (_emergency is IClassifierWindowSource source)
                source.WindowFinished += (features, probabilities) => _windows.Add(new ClassifierWindow(Id, 0, features, probabilities, probabilities is null ? null : source.Labels));
        }

        public async Task PushAsync(FeatureBatch batch)
        {
            if (_samples.Length < batch.SampleCount) _samples = new float[batch.SampleCount];
            var samples = _samples.AsSpan(0, batch.SampleCount);
            FrameCodec.DecodePcm16(batch.ReferencePcm16, samples);
            _emergency.Push(samples);
            foreach (var window in _windows) await _backend.PredictAsync(window, CancellationToken.None);
            _windows.Clear();
        }
    }
}
