using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Wire;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// One device's WebSocket (docs/protocol.md). Three loops, so that no client can stall another or itself:
/// receive (parse, validate, queue), process (grain call per frame, in order; frames that waited past the
/// deadline are dropped and counted), and send (a bounded queue that drops the oldest replies when the client
/// does not read). Bad input gets an <c>error</c> event and the session continues.
/// </summary>
public sealed class DeviceConnection(string sessionId, WebSocket socket, IGrainFactory grains, IOptions<GatewayOptions> options,
    GatewayMetrics metrics, ILogger<DeviceConnection> logger)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };
    private readonly GatewayOptions _options = options.Value;
    private readonly ISessionGrain _session = grains.GetGrain<ISessionGrain>(sessionId);
    private readonly Channel<(WireFrame Frame, long Received)> _inbound = Channel.CreateBounded<(WireFrame, long)>(
        new BoundedChannelOptions(256) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.DropOldest });
    private Channel<(byte[] Payload, WebSocketMessageType Type)> _outbound = null!;
    private SessionConfig? _config;
    private long _dropped;

    public string SessionId => sessionId;

    public async Task RunAsync(CancellationToken aborted)
    {
        _outbound = Channel.CreateBounded<(byte[], WebSocketMessageType)>(new BoundedChannelOptions(_options.SendQueueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        }, dropped => metrics.FramesDropped.Add(1));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var send = SendLoopAsync(stop.Token);
        var process = ProcessLoopAsync(stop.Token);
        var stats = StatsLoopAsync(stop.Token);
        try
        {
            await ReceiveLoopAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            logger.LogDebug("Device {Session} receive ended: {Reason}", sessionId, e.Message);
        }
        finally
        {
            _inbound.Writer.TryComplete();
            await process.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _outbound.Writer.TryComplete();
            await send.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await stop.CancelAsync();
            await stats.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "session ended", CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Ends the session from the server side (REST DELETE).</summary>
    public Task CloseAsync(string reason) =>
        socket.State == WebSocketState.Open
            ? socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, CancellationToken.None)
            : Task.CompletedTask;

    private async Task ReceiveLoopAsync(CancellationToken cancel)
    {
        var buffer = new byte[_options.MaxMessageBytes];
        while (!cancel.IsCancellationRequested && socket.State == WebSocketState.Open)
        {
            var length = 0;
            var oversize = false;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == buffer.Length) { oversize = true; length = 0; } // keep reading, discard
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close) return;
            var received = Stopwatch.GetTimestamp();
            metrics.AudioChunksReceived.Add(1);
            if (oversize)
            {
                Error(null, $"oversize message: more than {_options.MaxMessageBytes} bytes");
                continue;
            }
            var message = buffer.AsMemory(0, length);
            if (result.MessageType == WebSocketMessageType.Text) await OnTextAsync(message);
            else OnBinary(message, received);
        }
    }

    private void OnBinary(ReadOnlyMemory<byte> message, long received)
    {
        if (!WireFrame.TryParse(message, out var frame, out var error)) { Error(null, error!); return; }
        if (frame.Type != WireFrame.Audio || frame.Channels != 2)
        {
            Error(frame.Sequence, $"expected an audio frame with 2 channels (type {WireFrame.Audio}), got type {frame.Type} with {frame.Channels}");
            return;
        }
        // The payload lives in the receive buffer: copy it before the next receive overwrites it.
        _inbound.Writer.TryWrite((frame with { Pcm = frame.Pcm.ToArray() }, received));
    }

    private async Task OnTextAsync(ReadOnlyMemory<byte> message)
    {
        ControlMessage? control;
        try
        {
            control = JsonSerializer.Deserialize<ControlMessage>(message.Span);
        }
        catch (JsonException e)
        {
            Error(null, $"bad JSON: {e.Message}");
            return;
        }
        switch (control?.Type)
        {
            case "start":
                await StartAsync(control);
                break;
            case "audio":
                OnJsonAudio(control);
                break;
            default:
                Error(control?.Sequence, $"unknown message type '{control?.Type}': expected start or audio");
                break;
        }
    }

    private async Task StartAsync(ControlMessage start)
    {
        var config = new SessionConfig(
            SampleRate: start.SampleRate ?? 48_000,
            Mode: start.Mode ?? "antinoise",
            Algorithm: start.Algorithm ?? "hybrid",
            DelayMs: start.DelayMs ?? 20,
            FilterLength: start.FilterLength ?? 512,
            SecondaryPath: start.SecondaryPath,
            FrameSamples: start.FrameSamples ?? (start.SampleRate ?? 48_000) / 100);
        try
        {
            await _session.ConfigureAsync(config);
            _config = config;
            Send(new ControlMessage { Type = "started", SampleRate = config.SampleRate, FrameSamples = config.FrameSamples, Mode = config.Mode, Algorithm = config.Algorithm, DelayMs = config.DelayMs });
        }
        catch (ArgumentException e)
        {
            Error(null, $"bad start: {e.Message}");
        }
    }

    private void OnJsonAudio(ControlMessage audio)
    {
        byte[] pcm;
        try
        {
            pcm = Convert.FromBase64String(audio.Pcm ?? "");
        }
        catch (FormatException)
        {
            Error(audio.Sequence, "bad base64 in pcm");
            return;
        }
        var format = audio.Format switch { null or "int16" => SampleFormat.Int16, "float32" => SampleFormat.Float32, _ => (SampleFormat)255 };
        if ((byte)format == 255) { Error(audio.Sequence, $"unknown format '{audio.Format}': int16 or float32"); return; }
        var bytesPerFrame = 2 * (format == SampleFormat.Int16 ? 2 : 4);
        var samples = audio.Samples ?? pcm.Length / bytesPerFrame;
        if (samples * bytesPerFrame != pcm.Length)
        {
            Error(audio.Sequence, $"sample-count mismatch: {samples} two-channel samples need {samples * bytesPerFrame} bytes, pcm has {pcm.Length}");
            return;
        }
        _inbound.Writer.TryWrite((new WireFrame(WireFrame.Audio, format, 2, (uint)(audio.Sequence ?? 0), audio.TimestampUs ?? 0, samples, audio.SampleRate ?? 0, pcm), Stopwatch.GetTimestamp()));
    }

    private async Task ProcessLoopAsync(CancellationToken cancel)
    {
        await foreach (var (frame, received) in _inbound.Reader.ReadAllAsync(cancel))
        {
            if (_config is null) { Error(frame.Sequence, "send a start message before audio"); continue; }
            var waited = Stopwatch.GetElapsedTime(received);
            if (waited.TotalMilliseconds > _options.FrameDeadlineMs)
            {
                _dropped++;
                metrics.FramesDropped.Add(1);
                Error(frame.Sequence, $"late: waited {waited.TotalMilliseconds:0} ms, past the {_options.FrameDeadlineMs} ms deadline; dropped");
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            var reply = await _session.ProcessAsync(frame.ToAudioFrame(_config.SampleRate));
            metrics.ProcessingTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            metrics.Latency.Record(Stopwatch.GetElapsedTime(received).TotalMilliseconds);
            if (!reply.Accepted)
            {
                metrics.ValidationErrors.Add(1);
                Error(frame.Sequence, reply.Error!);
                continue;
            }
            metrics.AudioChunksProcessed.Add(1);
            metrics.Throughput.Add(1);
            metrics.AudioSamplesReceived.Add(frame.SampleCount);
            _outbound.Writer.TryWrite((WireFrame.FromAntiNoise(reply).ToBytes(), WebSocketMessageType.Binary));
        }
    }

    private async Task StatsLoopAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.05, _options.StatsIntervalSeconds)));
        while (await timer.WaitForNextTickAsync(cancel))
        {
            if (_config is null) continue;
            var stats = await _session.GetStatsAsync();
            metrics.Observe(stats);
            Send(new ControlMessage { Type = "stats", Stats = stats, FramesDropped = _dropped });
        }
    }

    private async Task SendLoopAsync(CancellationToken cancel)
    {
        await foreach (var (payload, type) in _outbound.Reader.ReadAllAsync(cancel))
            await socket.SendAsync(payload, type, endOfMessage: true, cancel);
    }

    private void Send(ControlMessage message) =>
        _outbound.Writer.TryWrite((JsonSerializer.SerializeToUtf8Bytes(message, Json), WebSocketMessageType.Text));

    private void Error(long? sequence, string reason)
    {
        metrics.ErrorCount.Add(1);
        Send(new ControlMessage { Type = "error", Sequence = sequence, Reason = reason });
    }
}
