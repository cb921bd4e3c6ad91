using System.Diagnostics;
using System.Threading.Channels;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// One device's protocol (docs/protocol.md), whatever carries it (WebSocket or MQTT). Messages come in through
/// <see cref="HandleTextAsync"/> and <see cref="HandleBinary"/>; a process loop calls the session grain per frame,
/// in order, dropping (and counting) frames that waited past the deadline; everything for the device goes to
/// <see cref="Outbound"/>, a bounded queue that drops its oldest entries when the device does not keep up.
/// Bad input gets an <c>error</c> event and the session continues.
/// </summary>
public sealed class DeviceSession
{
    private readonly string _sessionId;
    private readonly GatewayOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ISessionGrain _session;
    private readonly Channel<(AudioFrame Frame, long Received)> _inbound = Channel.CreateBounded<(AudioFrame, long)>(
        new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    private bool _active;   // a start was accepted or a frame answered: worth asking the session for stats
    private long _dropped;
    private long _refused;

    private readonly AlertWebhook? _webhook;

    public DeviceSession(string sessionId, IGrainFactory grains, IOptions<GatewayOptions> options, GatewayMetrics metrics, AlertWebhook? webhook = null)
    {
        _webhook = webhook;
        _sessionId = sessionId;
        _options = options.Value;
        _metrics = metrics;
        _session = grains.GetGrain<ISessionGrain>(sessionId);
        Outbound = Channel.CreateBounded<(byte[] Payload, bool Text)>(new BoundedChannelOptions(_options.SendQueueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
        }, _ => metrics.FramesDropped.Add(1));
    }

    public string SessionId => _sessionId;

    /// <summary>What to send to the device: binary anti-noise frames and JSON events.</summary>
    public Channel<(byte[] Payload, bool Text)> Outbound { get; }

    /// <summary>Runs the process and stats loops until <paramref name="cancel"/> or <see cref="Complete"/>.</summary>
    public async Task RunAsync(CancellationToken cancel)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var stats = StatsLoopAsync(stop.Token);
        try
        {
            await ProcessLoopAsync(cancel);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await stop.CancelAsync();
            await stats.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Outbound.Writer.TryComplete();
        }
    }

    /// <summary>No more input: the process loop drains what is queued and ends.</summary>
    public void Complete() => _inbound.Writer.TryComplete();

    /// <summary>A message larger than the limit was received (its bytes were discarded).</summary>
    public void Oversize() => Error(null, $"oversize message: more than {_options.MaxMessageBytes} bytes");

    public void HandleBinary(ReadOnlyMemory<byte> message, long received)
    {
        _metrics.AudioChunksReceived.Add(1);
        // The payload lives in the receive buffer: parsing copies the PCM once, into the frame the grain receives.
        if (!WireFrame.TryParseAudio(message, out var frame, out var error, out var sequence)) { Error(sequence < 0 ? null : sequence, error!); return; }
        _inbound.Writer.TryWrite((frame!, received));
    }

    public async Task HandleTextAsync(ReadOnlyMemory<byte> message)
    {
        _metrics.AudioChunksReceived.Add(1);
        if (!ControlMessage.TryParse(message.Span, out var control, out var error))
        {
            Error(null, error!);
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
            case "coefficientsRefused":
                // Edge mode: the device refused a coefficient set (checksum, length) and kept its last good one.
                _refused++;
                break;
            default:
                Error(control?.Sequence, $"unknown message type '{control?.Type}': expected start, audio or coefficientsRefused");
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
            FrameSamples: start.FrameSamples ?? (start.SampleRate ?? 48_000) / 100,
            AutoProfile: start.AutoProfile ?? true,
            UpdateMs: start.UpdateMs ?? 100,
            DutyCycle: start.DutyCycle ?? 1);
        try
        {
            await _session.ConfigureAsync(config);
            _active = true;
            Send(new ControlMessage { Type = "started", SampleRate = config.SampleRate, FrameSamples = config.FrameSamples, Mode = config.Mode, Algorithm = config.Algorithm, DelayMs = config.DelayMs,
                UpdateMs = config.Mode == "edge" ? config.UpdateMs : null, DutyCycle = config.Mode == "edge" ? config.DutyCycle : null });
        }
        catch (ArgumentException e)
        {
            Error(null, $"bad start: {e.Message}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Error(null, $"session unavailable ({e.GetType().Name}); send start again");
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
            Error(audio.Sequence, FrameFaults.BadBase64);
            return;
        }
        SampleFormat format;
        switch (audio.Format)
        {
            case null or "int16": format = SampleFormat.Int16; break;
            case "float32": format = SampleFormat.Float32; break;
            default: Error(audio.Sequence, FrameFaults.UnknownFormat($"'{audio.Format}'")); return;
        }
        var bytesPerFrame = 2 * format.BytesPerSample();
        long samples = audio.Samples ?? pcm.Length / bytesPerFrame;
        if (samples * bytesPerFrame != pcm.Length)
        {
            Error(audio.Sequence, FrameFaults.SampleCountMismatch(samples, 2, format, samples * bytesPerFrame, pcm.Length));
            return;
        }
        // The decoded base64 is the frame's own PCM: no further copy.
        var frame = new AudioFrame(audio.Sequence ?? 0, audio.TimestampUs ?? 0, audio.SampleRate ?? 0, format, (int)samples, pcm, audio.Missed ?? false);
        _inbound.Writer.TryWrite((frame, Stopwatch.GetTimestamp()));
    }

    private async Task ProcessLoopAsync(CancellationToken cancel)
    {
        await foreach (var (frame, received) in _inbound.Reader.ReadAllAsync(cancel))
        {
            var waited = Stopwatch.GetElapsedTime(received);
            if (waited.TotalMilliseconds > _options.FrameDeadlineMs)
            {
                _dropped++;
                _metrics.FramesDropped.Add(1);
                Error(frame.Sequence, $"late: waited {waited.TotalMilliseconds:0} ms, past the {_options.FrameDeadlineMs} ms deadline; dropped");
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            AntiNoiseFrame reply;
            try
            {
                // A call that failed because the session's silo died is sent again (to the session's new
                // activation, restored from its last checkpoint) for as long as the frame is still in time.
                var budget = TimeSpan.FromMilliseconds(_options.FrameDeadlineMs) - waited;
                (reply, var attempts) = await SiloLossRetry.CallAsync(() => _session.ProcessAsync(frame), budget,
                    TimeSpan.FromMilliseconds(_options.ResendPauseMs), cancel);
                if (attempts > 1) _metrics.FramesResent.Add(attempts - 1);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                // The session's silo is failing or gone and the frame's deadline has passed (or the failure is
                // not a silo loss): this frame is lost, the device is told, and the next frame is tried afresh.
                _dropped++;
                _metrics.FramesDropped.Add(1);
                Error(frame.Sequence, $"session unavailable ({e.GetType().Name}); frame dropped");
                continue;
            }
            _metrics.ProcessingTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            _metrics.Latency.Record(Stopwatch.GetElapsedTime(received).TotalMilliseconds);
            if (!reply.Accepted)
            {
                _metrics.ValidationErrors.Add(1);
                Error(frame.Sequence, reply.Error!);
                continue;
            }
            _active = true;
            _metrics.AudioChunksProcessed.Add(1);
            _metrics.Throughput.Add(1);
            _metrics.AudioSamplesReceived.Add(frame.SampleCount);
            // Already the wire frame: sent as it is. Edge mode answers no frame; a message there is a coefficient set.
            if (reply.Message.Length > 0) Outbound.Writer.TryWrite((reply.Message, false));
            if (reply.Alert is { } alert)
            {
                Send(new ControlMessage { Type = "alert", Alert = alert });
                _webhook?.Notify(alert);
            }
            if (reply.Classification is { } classification)
                Send(new ControlMessage { Type = "classification", Classification = classification });
        }
    }

    private async Task StatsLoopAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.05, _options.StatsIntervalSeconds)));
        while (await timer.WaitForNextTickAsync(cancel))
        {
            if (!_active) continue;
            SessionStats stats;
            try
            {
                stats = await _session.GetStatsAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                continue; // the session is moving to another silo; the next tick will find it
            }
            _metrics.Observe(stats);
            Send(new ControlMessage { Type = "stats", Stats = stats, FramesDropped = _dropped, CoefficientsRefused = _refused == 0 ? null : _refused });
        }
    }

    private void Send(ControlMessage message) =>
        Outbound.Writer.TryWrite((message.ToUtf8(), true));

    private void Error(long? sequence, string reason)
    {
        _metrics.ErrorCount.Add(1);
        Send(new ControlMessage { Type = "error", Sequence = sequence, Reason = reason });
    }
}
