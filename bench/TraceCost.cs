using System.Diagnostics;
using System.Globalization;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Grains.Sessions;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace AncOrleans.Bench;

/// <summary>
/// <c>--trace-cost</c>: what the frame path's spans cost beside the pipeline they trace (docs/observability.md,
/// "Traces"). Per 10 ms frame of 48 kHz hum: (a) the session pipeline (<see cref="SessionPipeline.Process"/>: codec,
/// hybrid canceller, reply), and (b) the spans of one frame as the gateway makes them — <c>anc.frame</c> with its three
/// tags, <c>anc.frame.reply</c> — plus a client and a server span with Orleans' five rpc tags on Orleans' source name,
/// standing in for the two spans Orleans' activity propagation makes per grain call. (b) runs with no tracer (tracing
/// off, the local default), and with a tracer at ParentBased(TraceIdRatio) 1 % (the production default) and 100 %,
/// without an exporter (the OTLP exporter batches on its own thread, for the sampled traces only). Process CPU time.
/// </summary>
internal static class TraceCost
{
    private const int Frames = 6_000;           // 60 s of audio
    private const int SpanFrames = 200_000;

    public static void Run(TextWriter output)
    {
        var pipelineMs = PipelineMsPerFrame();
        var off = SpanMsPerFrame(null);
        var onePercent = SpanMsPerFrame(0.01);
        var all = SpanMsPerFrame(1.0);
        var perSecond = 100.0; // frames per second of audio
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"name\": \"trace-cost\", \"pipelineMsPerAudioSecond\": {pipelineMs * perSecond:F3}, \"spansOffMsPerAudioSecond\": {off.Ms * perSecond:F4}, " +
            $"\"spans1PercentMsPerAudioSecond\": {onePercent.Ms * perSecond:F4}, \"spans100PercentMsPerAudioSecond\": {all.Ms * perSecond:F4}, " +
            $"\"share1PercentOfPipeline\": {100 * onePercent.Ms / pipelineMs:F2}, \"share100PercentOfPipeline\": {100 * all.Ms / pipelineMs:F2}, " +
            $"\"bytesPerFrameOff\": {off.Bytes:F1}, \"bytesPerFrame1Percent\": {onePercent.Bytes:F1}, \"bytesPerFrame100Percent\": {all.Bytes:F1}}}"));
    }

    private static double PipelineMsPerFrame()
    {
        var rate = StreamWorkload.SampleRate;
        var frameSamples = StreamWorkload.FrameSamples;
        var scene = Scenarios.Create("hum", rate, Frames * frameSamples / (double)rate, StreamWorkload.DelayMs, StreamWorkload.Seed);
        var frames = new AudioFrame[Frames];
        for (var k = 0; k < Frames; k++)
        {
            var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(k * frameSamples, frameSamples), scene.Disturbance.AsSpan(k * frameSamples, frameSamples), SampleFormat.Int16);
            frames[k] = new AudioFrame(k, k * 10_000L, rate, SampleFormat.Int16, frameSamples, pcm);
        }
        var config = new SessionConfig(SampleRate: rate, DelayMs: StreamWorkload.DelayMs, FilterLength: StreamWorkload.FilterLength, SecondaryPath: scene.SecondaryPath, FrameSamples: frameSamples);
        var pipeline = new SessionPipeline("trace-cost", new SessionGrainOptions(), new SessionCheckpoint());
        pipeline.Configure(config);
        for (var k = 0; k < 500; k++) pipeline.Process(frames[k], null, out _); // warm-up (JIT)
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var k = 500; k < Frames; k++) pipeline.Process(frames[k], null, out _);
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / (Frames - 500);
    }

    private static (double Ms, double Bytes) SpanMsPerFrame(double? ratio)
    {
        using var provider = ratio is { } r
            ? Sdk.CreateTracerProviderBuilder().AddSource(Gateway, Orleans).SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(r))).Build()
            : null;
        for (var k = 0; k < 20_000; k++) OneFrame(k); // warm-up
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (var k = 0; k < SpanFrames; k++) OneFrame(k);
        var ms = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / SpanFrames;
        return (ms, (GC.GetAllocatedBytesForCurrentThread() - bytes) / (double)SpanFrames);
    }

    private const string Gateway = "AncOrleans.Gateway";
    private const string Orleans = "Microsoft.Orleans.Application";
    private static readonly ActivitySource GatewaySource = new(Gateway);
    private static readonly ActivitySource OrleansSource = new(Orleans);

    /// <summary>One frame's spans, as DeviceSession makes them, with Orleans' client and server span per grain call.</summary>
    private static void OneFrame(long sequence)
    {
        Activity.Current = null;
        using var span = !GatewaySource.HasListeners() ? null : GatewaySource.StartActivity("anc.frame", ActivityKind.Server, default(ActivityContext), startTime: DateTimeOffset.UtcNow);
        span?.SetTag("anc.session", "bench-1");
        span?.SetTag("anc.sequence", sequence);
        span?.SetTag("anc.transport", "websocket");
        using (var client = OrleansSource.StartActivity("ISessionGrain/ProcessAsync", ActivityKind.Client))
        {
            Rpc(client);
            using var server = OrleansSource.StartActivity("ISessionGrain/ProcessAsync", ActivityKind.Server);
            Rpc(server);
        }
        using var reply = span is null ? null : GatewaySource.StartActivity("anc.frame.reply", ActivityKind.Producer);
    }

    private static void Rpc(Activity? activity)
    {
        if (activity is null) return;
        activity.SetTag("rpc.system.name", "orleans");
        activity.SetTag("orleans.rpc.service", "AncOrleans.Abstractions.ISessionGrain");
        activity.SetTag("rpc.method", "AncOrleans.Abstractions.ISessionGrain/ProcessAsync");
        activity.SetTag("orleans.rpc.target_id", "session/bench-1");
        activity.SetTag("orleans.rpc.source_id", "sys.client/hosted-127.0.0.1:11111@1");
    }
}
