using System.Diagnostics;
using System.Threading.Channels;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Gateway.Analytics;
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
    private int _deadlineMs; // FrameDeadlineMs, or EdgeFrameDeadlineMs once an edge session has started
    private readonly GatewayMetrics _metrics;
    private readonly ISessionGrain _session;
    private readonly Channel<(AudioFrame Frame, long Received)> _inbound;
    private readonly string _transport;
    private readonly AlertWebhook? _webhook;
    private readonly AnalyticsSession? _analytics; // the session's summary (docs/analytics.md)
    private readonly double _burstUs;
    private bool _active;   // a start was accepted or a frame answered: worth asking the session for stats
    private long _received, _answered, _rejected, _late, _unavailable, _rateLimited, _queueFull, _sendDropped;
    private long _refused;  // coefficient sets the device refused (edge mode)
    private int _sessionRate; // the rate of the last start accepted here (0: not known, e.g. configured over REST)
    private double _tokensUs; // the rate limit's bucket: µs of audio the device may still send at once
    private long _refilled;
    private bool _limiting, _queueWasFull; // one error event per episode; every frame is counted
    private long _lastActivity = Stopwatch.GetTimestamp();
    private readonly FrameBuffers _buffers = new();  // PCM arrays of answered frames, for the next ones
    private readonly Func<int, byte[]> _takeBuffer;
    private readonly Queue<string> _alertsSent = new(); // ids already sent on this connection: the session re-sends until acknowledged

    public DeviceSession(string sessionId, IGrainFactory grains, IOptions<GatewayOptions> options, GatewayMetrics metrics, AlertWebhook? webhook = null,
        AnalyticsRecorder? analytics = null, string transport = "websocket")
    {
        _transport = transport;
        _takeBuffer = _buffers.Take;
        _webhook = webhook;
        _analytics = analytics?.Open(sessionId);
        _sessionId = sessionId;
        _options = options.Value;
        _deadlineMs = _options.FrameDeadlineMs;
        _metrics = metrics;
        _session = grains.GetGrain<ISessionGrain>(sessionId);
        // Full is not silent: TryWrite fails and the frame is counted (queueFull) with an error event per episode.
        // Synchronous continuations on both queues: a frame that finds its reader waiting is processed on the thread
        // that received it, and a reply is handed to the socket on the thread that produced it — two thread hops (and
        // their context switches, ~20 % of the gateway's CPU) fewer per frame. Neither reader blocks: each awaits.
        _inbound = Channel.CreateBounded<(AudioFrame, long)>(new BoundedChannelOptions(_options.InboundQueueFrames)
        {
            SingleReader = true, FullMode = BoundedChannelFullMode.Wait, AllowSynchronousContinuations = true,
        });
        _burstUs = _options.RateBurstSeconds * 1e6;
        _tokensUs = _burstUs;
        _refilled = Stopwatch.GetTimestamp();
        Outbound = Channel.CreateBounded<(byte[] Payload, bool Text)>(new BoundedChannelOptions(_options.SendQueueFrames)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropOldest,
            AllowSynchronousContinuations = true,
        }, dropped =>
        {
            metrics.FramesDropped.Add(1);
            Interlocked.Increment(ref _sendDropped);
            if (!dropped.Text) Sent(dropped.Payload);
        });
    }

    /// <summary>
    /// A binary message that left <see cref="Outbound"/> for good — sent, or dropped by the full queue. An anti-noise
    /// reply's array goes back to <see cref="ReplyBuffers"/>: nothing holds it any more (the session kept a copy, the
    /// queue let go of it). Only a transport that has finished with the bytes calls this (the WebSocket's send loop;
    /// MQTT's publish may still hold them).
    /// </summary>
    public static void Sent(byte[] payload)
    {
        if (WireFrame.IsAntiNoise(payload)) ReplyBuffers.Shared.Give(payload);
    }

    public string SessionId => _sessionId;

    /// <summary>The recent frames' latency (received → reply queued), for the live page.</summary>
    public LatencyWindow Latency { get; } = new();

    /// <summary>When the device last sent a message (a <see cref="Stopwatch"/> timestamp).</summary>
    public long LastActivity => Interlocked.Read(ref _lastActivity);

    /// <summary>Every frame so far, accounted for (also in each <c>stats</c> event).</summary>
    public FrameCounts Counts => new(Interlocked.Read(ref _received), Interlocked.Read(ref _answered), Interlocked.Read(ref _rejected), Interlocked.Read(ref _late),
        Interlocked.Read(ref _unavailable), Interlocked.Read(ref _rateLimited), Interlocked.Read(ref _queueFull), Interlocked.Read(ref _sendDropped));

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
            if (_analytics is not null) await EndAnalyticsAsync(_analytics);
            Outbound.Writer.TryComplete();
        }
    }

    /// <summary>The session's last stats (2 s at most) and its final summary.</summary>
    private async Task EndAnalyticsAsync(AnalyticsSession analytics)
    {
        SessionStats? last = null;
        try
        {
            if (_active) last = await _session.GetStatsAsync().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // the silo is going or gone: the summary keeps the last tick's figures
        }
        await analytics.EndAsync(last, Counts, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>No more input: the process loop drains what is queued and ends.</summary>
    public void Complete() => _inbound.Writer.TryComplete();

    /// <summary>A message larger than the limit was received (its bytes were discarded).</summary>
    public void Oversize()
    {
        Touch();
        Error(null, $"oversize message: more than {_options.MaxMessageBytes} bytes");
    }

    /// <summary>Tells the device something the transport refused (MQTT topic rules), as an <c>error</c> event.</summary>
    public void Refuse(string reason) => Error(null, reason);

    public void HandleBinary(ReadOnlyMemory<byte> message, long received)
    {
        Touch();
        _metrics.AudioChunksReceived.Add(1);
        Interlocked.Increment(ref _received);
        // The payload lives in the receive buffer: parsing copies the PCM once, into the frame the grain receives (an
        // array of this connection's, given back once the frame is answered or dropped).
        if (!WireFrame.TryParseAudio(message, out var frame, out var error, out var sequence, _takeBuffer))
        {
            Interlocked.Increment(ref _rejected);
            Error(sequence < 0 ? null : sequence, error!);
            return;
        }
        Enqueue(frame!, received);
    }

    /// <summary>Rate limit, then the inbound queue; a frame refused by either is counted, and told once per episode.</summary>
    private void Enqueue(AudioFrame frame, long received)
    {
        if (!TakeAudio(frame))
        {
            Interlocked.Increment(ref _rateLimited);
            _metrics.FramesRateLimited.Add(1);
            _metrics.FramesDropped.Add(1);
            _buffers.Give(frame.Pcm);
            if (!_limiting)
                Error(frame.Sequence, $"rate limit: audio is arriving faster than {_options.MaxRealTimeFactor:0.#}× real time; frames are dropped until it slows down, each one counted in stats frames.rateLimited");
            _limiting = true;
            return;
        }
        _limiting = false;
        if (!_inbound.Writer.TryWrite((frame, received)))
        {
            Interlocked.Increment(ref _queueFull);
            _metrics.FramesQueueFull.Add(1);
            _metrics.FramesDropped.Add(1);
            _buffers.Give(frame.Pcm);
            if (!_queueWasFull)
                Error(frame.Sequence, $"queue full: {_options.InboundQueueFrames} frames are waiting for the session; frames are dropped until it drains, each one counted in stats frames.queueFull");
            _queueWasFull = true;
            return;
        }
        _queueWasFull = false;
    }

    /// <summary>
    /// Token bucket over audio time: it refills at <see cref="GatewayOptions.MaxRealTimeFactor"/> µs of audio per µs and
    /// holds <see cref="GatewayOptions.RateBurstSeconds"/>. The frame's duration uses the rate of the last start seen
    /// here, else the frame's own rate, else 48 kHz.
    /// </summary>
    private bool TakeAudio(AudioFrame frame)
    {
        var rate = _sessionRate > 0 ? _sessionRate : frame.SampleRate > 0 ? frame.SampleRate : 48_000;
        var audioUs = frame.SampleCount * 1e6 / rate;
        var now = Stopwatch.GetTimestamp();
        _tokensUs = Math.Min(_burstUs, _tokensUs + Stopwatch.GetElapsedTime(_refilled, now).TotalMicroseconds * _options.MaxRealTimeFactor);
        _refilled = now;
        if (_tokensUs < audioUs) return false;
        _tokensUs -= audioUs;
        return true;
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, Stopwatch.GetTimestamp());

    public async Task HandleTextAsync(ReadOnlyMemory<byte> message)
    {
        Touch();
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
            case "ping":
                // Keeps an otherwise quiet connection from the idle timeout (Gateway:IdleTimeoutSeconds).
                Send(new ControlMessage { Type = "pong" });
                break;
            case "audio":
                OnJsonAudio(control);
                break;
            case "alertAck":
                await AcknowledgeAlertAsync(control);
                break;
            case "record":
                await RecordAsync(control.Enabled ?? true);
                break;
            case "coefficientsRefused":
                // Edge mode: the device refused a coefficient set (checksum, length) and kept its last good one.
                _refused++;
                break;
            default:
                Error(control?.Sequence, $"unknown message type '{control?.Type}': expected start, audio, record, ping, alertAck or coefficientsRefused");
                break;
        }
    }

    /// <summary>Configures the session; sends <c>started</c> or an <c>error</c>, and returns the error (null when started).</summary>
    public async Task<string?> StartAsync(ControlMessage start)
    {
        ArgumentNullException.ThrowIfNull(start);
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
            _sessionRate = config.SampleRate;
            _deadlineMs = config.Mode == "edge" ? _options.EdgeFrameDeadlineMs : _options.FrameDeadlineMs;
            _analytics?.Analytics.Started(config.Mode);
            Send(new ControlMessage { Type = "started", SampleRate = config.SampleRate, FrameSamples = config.FrameSamples, Mode = config.Mode, Algorithm = config.Algorithm, DelayMs = config.DelayMs,
                UpdateMs = config.Mode == "edge" ? config.UpdateMs : null, DutyCycle = config.Mode == "edge" ? config.DutyCycle : null });
        }
        catch (ArgumentException e)
        {
            Error(null, $"bad start: {e.Message}");
            return $"bad start: {e.Message}";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Error(null, $"session unavailable ({e.GetType().Name}); send start again");
            return $"session unavailable ({e.GetType().Name})";
        }
        return null;
    }

    /// <summary>The device turns its recording on or off (docs/recordings.md); answered <c>recording</c>, or an <c>error</c>.</summary>
    private async Task RecordAsync(bool on)
    {
        try
        {
            var recording = await _session.SetRecordingAsync(on);
            Send(new ControlMessage { Type = "recording", Enabled = recording });
            if (_analytics is not null) await _analytics.AuditAsync(recording ? "recording.on" : "recording.off", "asked by the device");
        }
        catch (InvalidOperationException e)
        {
            Error(null, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Error(null, $"session unavailable ({e.GetType().Name}); send record again");
        }
    }

    private void OnJsonAudio(ControlMessage audio)
    {
        Interlocked.Increment(ref _received);
        // The binary header's sequence is a u32: a JSON seq outside it is refused, never wrapped.
        if (audio.Sequence is < 0 or > uint.MaxValue)
        {
            Interlocked.Increment(ref _rejected);
            Error(null, $"seq {audio.Sequence} is out of range: 0–{uint.MaxValue} (a u32, as in the binary header)");
            return;
        }
        byte[] pcm;
        try
        {
            pcm = Convert.FromBase64String(audio.Pcm ?? "");
        }
        catch (FormatException)
        {
            Interlocked.Increment(ref _rejected);
            Error(audio.Sequence, FrameFaults.BadBase64);
            return;
        }
        SampleFormat format;
        switch (audio.Format)
        {
            case null or "int16": format = SampleFormat.Int16; break;
            case "float32": format = SampleFormat.Float32; break;
            default:
                Interlocked.Increment(ref _rejected);
                Error(audio.Sequence, FrameFaults.UnknownFormat($"'{audio.Format}'"));
                return;
        }
        var bytesPerFrame = 2 * format.BytesPerSample();
        long samples = audio.Samples ?? pcm.Length / bytesPerFrame;
        if (samples * bytesPerFrame != pcm.Length)
        {
            Interlocked.Increment(ref _rejected);
            Error(audio.Sequence, FrameFaults.SampleCountMismatch(samples, 2, format, samples * bytesPerFrame, pcm.Length));
            return;
        }
        // The decoded base64 is the frame's own PCM: no further copy.
        var frame = new AudioFrame(audio.Sequence ?? 0, audio.TimestampUs ?? 0, audio.SampleRate ?? 0, format, (int)samples, pcm, audio.Missed ?? false);
        Enqueue(frame, Stopwatch.GetTimestamp());
    }

    private async Task ProcessLoopAsync(CancellationToken cancel)
    {
        // Each frame is a trace of its own: not a child of the connection's HTTP request, which lasts for hours
        // (and, unrecorded, would make a parent-based sampler drop every frame).
        Activity.Current = null;
        // Drained without a waiter per frame (a cancellable wait allocated one: a tenth of what an antinoise gateway
        // allocated); cancellation completes the queue and ends the loop (ChannelDraining).
        await foreach (var (frame, received) in _inbound.DrainAsync(cancel))
        {
            cancel.ThrowIfCancellationRequested();
            var waited = Stopwatch.GetElapsedTime(received);
            if (waited.TotalMilliseconds > _deadlineMs)
            {
                Interlocked.Increment(ref _late);
                _metrics.FramesDropped.Add(1);
                Error(frame.Sequence, $"late: waited {waited.TotalMilliseconds:0} ms, past the {_deadlineMs} ms deadline; dropped");
                _buffers.Give(frame.Pcm);
                continue;
            }
            var started = Stopwatch.GetTimestamp();
            // The frame's span, from its receipt: the grain call below (Orleans' span) and the reply are its children.
            using var span = !GatewayTracing.Source.HasListeners() ? null : GatewayTracing.Source.StartActivity("anc.frame", ActivityKind.Server, default(ActivityContext), startTime: DateTimeOffset.UtcNow - waited);
            span?.SetTag("anc.session", _sessionId);
            span?.SetTag("anc.sequence", frame.Sequence);
            span?.SetTag("anc.transport", _transport);
            AntiNoiseFrame reply;
            try
            {
                // A call that failed because the session's silo died is sent again (to the session's new
                // activation, restored from its last checkpoint) for as long as the frame is still in time.
                var budget = TimeSpan.FromMilliseconds(_deadlineMs) - waited;
                (reply, var attempts) = await SiloLossRetry.CallAsync(static s => s.Session.ProcessAsync(s.Frame), (Session: _session, Frame: frame), budget,
                    TimeSpan.FromMilliseconds(_options.ResendPauseMs), cancel);
                if (attempts > 1) _metrics.FramesResent.Add(attempts - 1);
                // Answered: the session has decoded the frame, and no call holds it any more.
                _buffers.Give(frame.Pcm);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancel.IsCancellationRequested)
            {
                // The session's silo is failing or gone and the frame's deadline has passed (or the failure is
                // not a silo loss): this frame is lost, the device is told, and the next frame is tried afresh.
                Interlocked.Increment(ref _unavailable);
                span?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
                _metrics.FramesDropped.Add(1);
                Error(frame.Sequence, $"session unavailable ({e.GetType().Name}); frame dropped");
                continue;
            }
            _metrics.ProcessingTime.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var latency = Stopwatch.GetElapsedTime(received).TotalMilliseconds;
            _metrics.Latency.Record(latency);
            Latency.Record(latency);
            if (!reply.Accepted)
            {
                span?.SetStatus(ActivityStatusCode.Error, reply.Error);
                Interlocked.Increment(ref _rejected);
                _metrics.ValidationErrors.Add(1);
                Error(frame.Sequence, reply.Error!);
                continue;
            }
            _active = true;
            _analytics?.Analytics.Answered(Stopwatch.GetElapsedTime(received).TotalMilliseconds);
            Interlocked.Increment(ref _answered);
            _metrics.AudioChunksProcessed.Add(1);
            _metrics.Throughput.Add(1);
            _metrics.AudioSamplesReceived.Add(frame.SampleCount);
            using var replySpan = span is null ? null : GatewayTracing.Source.StartActivity("anc.frame.reply", ActivityKind.Producer);
            // Already the wire frame: sent as it is. Edge mode answers no frame; a message there is a coefficient set.
            if (reply.Message.Length > 0) Outbound.Writer.TryWrite((reply.Message, false));
            if (reply.Alert is { } alert) ForwardAlert(alert);
            if (reply.Classification is { } classification)
                Send(new ControlMessage { Type = "classification", Classification = classification });
        }
        cancel.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// An alert from the session, to the device and the webhook once per connection (the session re-sends it with
    /// later replies until the device acknowledges it, and after a failover; the webhook keeps its own record).
    /// </summary>
    private void ForwardAlert(EmergencyAlert alert)
    {
        if (alert.AlertId is { } id)
        {
            if (_alertsSent.Contains(id)) return;
            _alertsSent.Enqueue(id);
            if (_alertsSent.Count > 64) _alertsSent.Dequeue();
        }
        Send(new ControlMessage { Type = "alert", Alert = alert });
        _analytics?.Analytics.Alert(alert);
        _webhook?.Notify(alert);
    }

    private async Task AcknowledgeAlertAsync(ControlMessage ack)
    {
        if (ack.AlertId is not { Length: > 0 and <= 200 } id)
        {
            Error(null, "bad alertAck: alertId is required (the id of the alert event being acknowledged)");
            return;
        }
        try
        {
            await _session.AcknowledgeAlertAsync(id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The session is moving: it will re-send the alert, and the device acknowledges it again.
            Error(null, $"session unavailable ({e.GetType().Name}); alertAck not recorded, send it again when the alert repeats");
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
            var counts = Counts;
            _analytics?.Tick(stats, counts);
            Send(new ControlMessage
            {
                Type = "stats", Stats = stats, FramesDropped = counts.Late + counts.Unavailable + counts.RateLimited + counts.QueueFull, Frames = counts,
                CoefficientsRefused = _refused == 0 ? null : _refused,
            });
        }
    }

    private void Send(ControlMessage message) =>
        Outbound.Writer.TryWrite((message.ToUtf8(), true));

    private void Error(long? sequence, string reason)
    {
        _metrics.ErrorCount.Add(1);
        _analytics?.Analytics.Error(reason);
        Send(new ControlMessage { Type = "error", Sequence = sequence, Reason = reason });
    }
}
