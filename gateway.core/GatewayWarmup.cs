using System.Diagnostics;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Device;
using AncOrleans.Grains;
using AncOrleans.Gateway.Mqtt;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway;

/// <summary>
/// At start-up, sends frames down every path a device's frame takes, so the first real devices do not pay for
/// JIT compilation, first activations and first connections (a cold gateway lost 15–25 % of its first devices'
/// frames: issue 13). Readiness (<c>/readyz</c>) waits for it. In order:
/// <list type="number">
/// <item>grain calls: an antinoise session on a tonal scene for 3 s of audio (the codec, the hybrid canceller with
/// its tracker locked, the feature batches, the emergency detector, the classifier's windows and model) and an
/// edge-mode session;</item>
/// <item>once Kestrel listens: a device over the gateway's own WebSocket, and one over MQTT (the bridge's broker),
/// each sending a start message and 1 s of frames, one at a time;</item>
/// <item>the rehearsal (<see cref="WarmupRehearsal"/>): <c>Gateway:WarmupDevices</c> devices at once over the WebSocket
/// for <c>Gateway:WarmupSeconds</c>, in real time, then as many new ones for 1 s, so what runs once per session
/// (activations, a connection's loops, its stats events) is called often enough to be re-compiled too;</item>
/// <item>more grain frames until the JIT has settled: the tiered JIT recompiles hot methods in the background
/// after ~30 calls, so until its compiled-method count stops growing the first devices would still run tier-0 code
/// and share the cores with the compiler. At most <see cref="SettleLimit"/>.</item>
/// </list>
/// A step that fails is logged and skipped: readiness is delayed, never withheld.
/// </summary>
public sealed class GatewayWarmup(IGrainFactory grains, IServer server, IHostApplicationLifetime lifetime, IOptions<MqttOptions> mqtt,
    IOptions<Security.AuthOptions> auth, IOptions<GatewayOptions> gateway, MqttBridge bridge, ILogger<GatewayWarmup> logger) : BackgroundService
{
    private const int Rate = WarmupAudio.Rate, FrameSamples = WarmupAudio.FrameSamples;
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(20);
    private const int StorageConcurrency = 4; // the rehearsal's provisioning and clean-up calls in flight at once
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completed => _done.Task;

    /// <summary>Seconds from process start to the end of the warm-up (null until then).</summary>
    public double? ReadyAfterSeconds { get; private set; }

    /// <summary>What the rehearsal did (null until it ran, or when it is off or failed).</summary>
    public WarmupRehearsal.Result? Rehearsal { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await Step("grain path", () => GrainPathAsync(stoppingToken));
            await WaitForServerAsync(stoppingToken);
            await Step("WebSocket", () => WebSocketAsync(stoppingToken));
            if (mqtt.Value.Enabled) await Step("MQTT", () => MqttAsync(stoppingToken));
            if (gateway.Value.WarmupDevices > 0) await Step("rehearsal", () => RehearsalAsync(stoppingToken));
            await Step("JIT settling", () => SettleAsync(stoppingToken));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            ReadyAfterSeconds = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalSeconds;
            logger.LogInformation("Warm-up done in {Seconds:0.0} s; ready {Ready:0.0} s after process start", clock.Elapsed.TotalSeconds, ReadyAfterSeconds);
            _done.TrySetResult();
        }
    }

    private async Task Step(string name, Func<Task> step)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            await step().WaitAsync(TimeSpan.FromSeconds(30));
            logger.LogDebug("Warm-up: {Step} in {Ms} ms", name, clock.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Warm-up: {Step} failed after {Ms} ms; the first frames on that path may miss their deadline", name, clock.ElapsedMilliseconds);
        }
    }

    private async Task GrainPathAsync(CancellationToken cancel)
    {
        var session = grains.GetGrain<ISessionGrain>("warmup-" + Guid.NewGuid().ToString("N"));
        await session.ConfigureAsync(new SessionConfig(SampleRate: Rate, FrameSamples: FrameSamples));
        await RunFramesAsync(session, 0, 300, cancel);
        await session.EndAsync();
        var edge = grains.GetGrain<ISessionGrain>("warmup-edge-" + Guid.NewGuid().ToString("N"));
        await edge.ConfigureAsync(new SessionConfig(SampleRate: Rate, FrameSamples: FrameSamples, Mode: "edge"));
        for (var f = 0; f < 100 && !cancel.IsCancellationRequested; f++)
            await edge.ProcessAsync(new AudioFrame(f, f * 10_000L, Rate, SampleFormat.Int16, FrameSamples, Pcm(f)) { Edge = new EdgeVersionTag(0, 0, 0) });
        await edge.EndAsync();
    }

    private static async Task RunFramesAsync(ISessionGrain session, int first, int count, CancellationToken cancel)
    {
        for (var f = first; f < first + count && !cancel.IsCancellationRequested; f++)
            await session.ProcessAsync(new AudioFrame(f, f * 10_000L, Rate, SampleFormat.Int16, FrameSamples, Pcm(f)));
    }

    private async Task WaitForServerAsync(CancellationToken cancel)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(cancel);
    }

    private Uri? ServerUri()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal));
        if (address is null) return null;
        var uri = new UriBuilder(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        return uri.Uri;
    }

    private async Task WebSocketAsync(CancellationToken cancel)
    {
        if (ServerUri() is not { } uri)
        {
            logger.LogInformation("Warm-up: no plain-HTTP address to reach the WebSocket on; skipped");
            return;
        }
        var id = "warmup-ws-" + Guid.NewGuid().ToString("N")[..12];
        var key = await ProvisionAsync(id);
        try
        {
            await using var link = await WebSocketLink.ConnectAsync(uri, id, key, cancel);
            await DeviceAsync(link, cancel);
        }
        finally
        {
            await grains.GetGrain<IDeviceCredentialGrain>(id).RevokeAsync();
        }
    }

    private async Task RehearsalAsync(CancellationToken cancel)
    {
        if (ServerUri() is not { } uri)
        {
            logger.LogInformation("Warm-up: no plain-HTTP address to reach the WebSocket on; rehearsal skipped");
            return;
        }
        var clock = Stopwatch.StartNew();
        // Two waves of new devices: during the first, the JIT is still compiling new methods at tier 0, and the runtime
        // starts counting a method's calls only once that has been quiet for 100 ms — so what runs once per
        // connection (the upgrade, the start message, the activations) is counted, and re-compiled, in the second.
        var first = await RehearseWaveAsync(uri, gateway.Value.WarmupSeconds, cancel);
        var second = await RehearseWaveAsync(uri, Math.Min(1, gateway.Value.WarmupSeconds), cancel);
        Rehearsal = first + second;
        logger.LogInformation("Warm-up: rehearsal of 2 × {Devices} devices ({Edge} in edge mode) in {Elapsed:0.0} s: {Answered} of {Sent} antinoise frames answered, {EdgeSent} edge frames",
            gateway.Value.WarmupDevices, Rehearsal.Value.EdgeDevices, clock.Elapsed.TotalSeconds, Rehearsal.Value.Answered, Rehearsal.Value.Sent, Rehearsal.Value.EdgeSent);
    }

    // Keys are set on the devices' credential grains (not through the admin API, which also rewrites the one device
    // directory per device), a few at a time: a gateway's start should not flood its storage. (In CI, the published
    // gateway on the DynamoDB Local that the other tests share stalled during rehearsals of 32 devices; ImageBuildTests.)
    private async Task<WarmupRehearsal.Result> RehearseWaveAsync(Uri uri, double seconds, CancellationToken cancel)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var ids = Enumerable.Range(0, gateway.Value.WarmupDevices).Select(i => $"warmup-r{run}-{i}").ToArray();
        var keys = new string[ids.Length];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Length), new ParallelOptions { MaxDegreeOfParallelism = StorageConcurrency, CancellationToken = cancel },
            async (i, _) => keys[i] = await ProvisionAsync(ids[i]));
        await ReadDevicesAsync(uri, ids, cancel);
        try
        {
            return await WarmupRehearsal.RunAsync(uri, ids.Zip(keys).ToArray(), TimeSpan.FromSeconds(seconds), cancel);
        }
        finally
        {
            // Their sessions end now rather than at the idle collection; their keys are useless from here on.
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = StorageConcurrency }, async (id, _) =>
            {
                await grains.GetGrain<ISessionGrain>(id).EndAsync();
                await grains.GetGrain<IDeviceCredentialGrain>(id).RevokeAsync();
            });
        }
    }

    // The admin API's request path (Kestrel's HTTP/1.1, the key check, routing, the JSON reply, the credential grain),
    // read-only: each new device read once, which is what tools do around provisioning (anc load, anc sim, operators).
    private async Task ReadDevicesAsync(Uri uri, string[] ids, CancellationToken cancel)
    {
        if (auth.Value.AdminKey is not { Length: > 0 } adminKey) return;
        using var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminKey);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = StorageConcurrency, CancellationToken = cancel },
            async (id, token) => (await http.GetAsync($"/v1/devices/{id}", token)).Dispose());
    }

    private async Task MqttAsync(CancellationToken cancel)
    {
        await bridge.Connected.WaitAsync(TimeSpan.FromSeconds(10), cancel);
        var broker = mqtt.Value.BridgeEndpoint();
        if (mqtt.Value.UseTls)
        {
            logger.LogInformation("Warm-up: the MQTT broker needs TLS; MQTT path skipped");
            return;
        }
        var id = "warmup-mqtt-" + Guid.NewGuid().ToString("N")[..12];
        var key = await ProvisionAsync(id);
        try
        {
            await using var link = await MqttLink.ConnectAsync(broker.Host, broker.Port, id, key, cancel);
            await DeviceAsync(link, cancel);
        }
        finally
        {
            await grains.GetGrain<IDeviceCredentialGrain>(id).RevokeAsync();
        }
    }

    /// <summary>A throw-away key for a warm-up device, revoked when its run ends (the warm-up goes through the same checks as a device).</summary>
    private async Task<string> ProvisionAsync(string id)
    {
        var key = Security.Keys.NewDeviceKey();
        await grains.GetGrain<IDeviceCredentialGrain>(id).SetAsync(Security.Keys.Hash(key, auth.Value.KeyHashIterations));
        return key;
    }

    // One device: start, then 100 frames of 10 ms, each sent when the previous one's reply arrived.
    private static async Task DeviceAsync(DeviceLink link, CancellationToken cancel)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reply = new SemaphoreSlim(0);
        link.Received = (message, text) =>
        {
            if (text)
            {
                if (ControlMessage.TryParse(message.Span, out var control, out _) && control?.Type == "started") started.TrySetResult();
                return;
            }
            reply.Release();
        };
        await link.SendTextAsync(WarmupRehearsal.Start(edge: false).ToUtf8(), cancel);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), cancel);
        for (var f = 0; f < 100; f++)
        {
            var frame = new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, (uint)f, f * 10_000L, FrameSamples, Rate, Pcm(f));
            await link.SendBinaryAsync(frame.ToBytes(), cancel);
            await reply.WaitAsync(TimeSpan.FromSeconds(2), cancel);
        }
    }

    // Frames through a fresh session (10 per 10 ms tick, like 10 devices) until the JIT spends less than 1 % of a
    // 0.5 s window compiling: then tier-1 code is in place for the frame path and the compiler no longer competes
    // with the devices for the cores. (A count of compiled methods never settles: timers and Orleans' own
    // background work keep compiling a few cold methods.)
    private async Task SettleAsync(CancellationToken cancel)
    {
        var session = grains.GetGrain<ISessionGrain>("warmup-settle-" + Guid.NewGuid().ToString("N"));
        await session.ConfigureAsync(new SessionConfig(SampleRate: Rate, FrameSamples: FrameSamples));
        var clock = Stopwatch.StartNew();
        var before = System.Runtime.JitInfo.GetCompilationTime();
        var frame = 0;
        var jitShare = 1.0;
        while (clock.Elapsed < SettleLimit)
        {
            var window = Stopwatch.StartNew();
            while (window.ElapsedMilliseconds < 500)
            {
                await RunFramesAsync(session, frame, 10, cancel);
                frame += 10;
                await Task.Delay(10, cancel);
            }
            var now = System.Runtime.JitInfo.GetCompilationTime();
            jitShare = (now - before) / window.Elapsed;
            before = now;
            if (jitShare < 0.01) break;
        }
        await session.EndAsync();
        logger.LogInformation("Warm-up: JIT settled after {Seconds:0.0} s ({Frames} frames; last 0.5 s {Share:P1} compiling; {Methods} methods, {JitMs:0} ms JIT in all)",
            clock.Elapsed.TotalSeconds, frame, jitShare, System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds);
    }

    private static byte[] Pcm(int frame) => WarmupAudio.Pcm(frame);
}
