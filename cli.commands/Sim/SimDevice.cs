using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Device;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Cli.Sim;

/// <summary>
/// One simulated device: it plays the acoustic world of <c>anc eval</c> in real time, sends reference and
/// error mic every 10 ms, and plays each anti-noise frame it receives through the true S(z) at its playout
/// time — if the frame arrived before that time and before the ear heard that moment; otherwise the speaker stays
/// silent for it (late). The ear and the speaker share one lock: a reply the device's clock has already passed is
/// late even if it came within D of its send (the send itself was late: a scheduler or GC pause in this process),
/// so a slow simulator is counted as late frames, not hidden in the reduction.
/// </summary>
internal sealed class SimDevice(string deviceId, AcousticScene scene, double delayMs, string algorithm, int frameSamples = 480)
{
    private readonly int _delay = AncSettings.MillisecondsToSamples(delayMs, scene.SampleRate);
    private readonly float[] _speaker = new float[scene.Length + AncSettings.MillisecondsToSamples(delayMs, scene.SampleRate) + frameSamples];
    private readonly ConcurrentDictionary<uint, long> _sentAt = new();
    private readonly ConcurrentDictionary<uint, double> _sendLagMs = new(); // how far behind its time each frame left
    private readonly ConcurrentDictionary<long, bool> _played = new(); // replies that reached the speaker in time
    private readonly ConcurrentBag<double> _roundTrips = new();
    private readonly ConcurrentBag<(long Sequence, double RoundTripMs, long SentAt, long ArrivedAt)> _lateFrames = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _answered, _late, _errors, _alerts;
    private readonly ConcurrentQueue<byte[]> _acks = new();
    private readonly Lock _gate = new();
    private readonly List<bool> _heardAll = [];
    private int _heard; // ear samples computed so far: the speaker cannot change them any more
    private volatile string? _noise;

    public string DeviceId => deviceId;
    public float[] Ear { get; } = new float[scene.Length];
    public AcousticScene Scene => scene;
    public int Sent { get; private set; }
    public int Position { get; private set; }
    public int Answered => _answered;
    public int Late => _late;

    /// <summary>
    /// Each late reply's frame, round trip, and when the frame was sent and its reply arrived (<see cref="Stopwatch"/>
    /// timestamps), in frame order: where in the run the lateness fell.
    /// </summary>
    public IReadOnlyList<(long Sequence, double RoundTripMs, long SentAt, long ArrivedAt)> LateFrames => [.. _lateFrames.OrderBy(f => f.Sequence)];
    /// <summary>
    /// How far behind its real-time slot frame <paramref name="sequence"/> was sent, in ms (NaN if it never was): a late
    /// reply to a frame that left late is this process's own delay (its scheduler, its collector), not the gateway's.
    /// </summary>
    public double SendLagMs(long sequence) => _sendLagMs.TryGetValue((uint)sequence, out var lag) ? lag : double.NaN;
    /// <summary>
    /// One line naming this device's late replies (the first <paramref name="max"/>): when in the run, the round trip,
    /// and how far behind its time the frame was sent. Null when none was late.
    /// </summary>
    public string? DescribeLateFrames(int max = 8)
    {
        var late = LateFrames;
        if (late.Count == 0) return null;
        var frameMs = 1000.0 * frameSamples / scene.SampleRate;
        var shown = late.Take(max).Select(f =>
            $"frame {f.Sequence} at {f.Sequence * frameMs / 1000:0.00} s: round trip {f.RoundTripMs:0.0} ms, sent {SendLagMs(f.Sequence):0.0} ms behind its time");
        return $"{deviceId}: {late.Count} late — {string.Join("; ", shown)}{(late.Count > max ? "; …" : "")}";
    }

    public int Errors => _errors;

    /// <summary>The last <c>classification</c> event's label (null until the classifier has named the noise).</summary>
    public string? Noise => _noise;

    /// <summary><c>alert</c> events received (raised or cleared).</summary>
    public int Alerts => _alerts;
    public IReadOnlyCollection<double> RoundTripsMs => _roundTrips;

    /// <summary>Per frame sent: whether every anti-noise sample due while it was recorded was in the speaker.</summary>
    public IReadOnlyList<bool> HeardAllAntiNoise => _heardAll;

    public int FrameSamples => frameSamples;

    /// <summary>Streams over a WebSocket to the gateway at <paramref name="server"/>, with the device's <paramref name="key"/>.</summary>
    public async Task RunAsync(Uri server, string key, double seconds, CancellationToken cancel)
    {
        await using var link = await WebSocketLink.ConnectAsync(server, deviceId, key, cancel);
        await RunAsync(link, seconds, cancel);
    }

    public async Task RunAsync(DeviceLink link, double seconds, CancellationToken cancel)
    {
        link.Received = OnReceived;
        var start = new ControlMessage
        {
            Type = "start", SampleRate = scene.SampleRate, FrameSamples = frameSamples, Format = "int16", Channels = ["reference", "error"],
            Mode = "antinoise", Algorithm = algorithm, DelayMs = delayMs, FilterLength = 512, SecondaryPath = scene.SecondaryPath,
        }.ToUtf8();
        await link.SendTextAsync(start, cancel);
        await Task.WhenAny(_started.Task, Task.Delay(TimeSpan.FromSeconds(10), cancel));
        if (!_started.Task.IsCompleted) throw new InvalidOperationException($"{deviceId}: the gateway did not answer the start message.");

        var secondary = new FirFilter(scene.SecondaryPath);
        var frameTicks = Stopwatch.Frequency * frameSamples / scene.SampleRate;
        var end = Math.Min(scene.Length, (int)(seconds * scene.SampleRate)) / frameSamples * frameSamples;
        var origin = Stopwatch.GetTimestamp();
        for (uint sequence = 0; Position < end; sequence++)
        {
            // Real time: frame k leaves at origin + k·10 ms.
            var due = origin + sequence * frameTicks;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel);
            bool missed;
            lock (_gate)
            {
                for (var n = Position; n < Position + frameSamples; n++) Ear[n] = scene.Disturbance[n] + secondary.Process(_speaker[n]);
                _heard = Position + frameSamples;
                missed = Missed(Position);
            }
            _heardAll.Add(!missed);
            var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(Position, frameSamples), Ear.AsSpan(Position, frameSamples), SampleFormat.Int16);
            var frame = new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, sequence, (long)Position * 1_000_000 / scene.SampleRate, frameSamples, scene.SampleRate, pcm,
                AntiNoiseMissed: missed);
            var now = Stopwatch.GetTimestamp();
            _sentAt[sequence] = now;
            _sendLagMs[sequence] = Stopwatch.GetElapsedTime(due, now).TotalMilliseconds;
            await link.SendBinaryAsync(frame.ToBytes(), cancel);
            while (_acks.TryDequeue(out var ack)) await link.SendTextAsync(ack, cancel);
            Sent++;
            Position += frameSamples;
        }
        // Grace for the last replies, then close.
        var grace = Stopwatch.GetTimestamp();
        while (_answered + _late + _errors < Sent && Stopwatch.GetElapsedTime(grace) < TimeSpan.FromSeconds(2)) await Task.Delay(10, cancel);
    }

    /// <summary>
    /// Whether some anti-noise due during the frame starting at sample <paramref name="position"/> never reached the
    /// speaker: then the error mic heard the noise alone, and the frame says so (docs/protocol.md).
    /// </summary>
    private bool Missed(int position)
    {
        var first = position - _delay;
        if (first + frameSamples <= 0) return false; // before any anti-noise was due
        for (var k = Math.Max(0, first) / frameSamples; k <= (first + frameSamples - 1) / frameSamples; k++)
            if (!_played.ContainsKey(k)) return true;
        return false;
    }

    private void OnReceived(ReadOnlyMemory<byte> message, bool text)
    {
        var arrived = Stopwatch.GetTimestamp();
        if (text)
        {
            ControlMessage.TryParse(message.Span, out var control, out _);
            if (control?.Type == "error") Interlocked.Increment(ref _errors);
            if (control?.Type == "started") _started.TrySetResult();
            if (control?.Type == "classification" && control.Classification is { } classification) _noise = classification.Label;
            if (control?.Type == "alert")
            {
                Interlocked.Increment(ref _alerts);
                // Acknowledged, so that the session stops re-sending it (docs/protocol.md, "alert").
                if (control.Alert?.AlertId is { } id) _acks.Enqueue(new ControlMessage { Type = "alertAck", AlertId = id }.ToUtf8());
            }
            return;
        }
        if (!WireFrame.TryParse(message, out var reply, out _) || !_sentAt.TryGetValue(reply.Sequence, out var sent)) return;
        var roundTrip = Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds;
        _roundTrips.Add(roundTrip);
        // It must be in the speaker before its playout time: D after the frame's first sample was sent, and before the
        // ear has heard that moment.
        var samples = FrameCodec.DecodeMono(reply.Pcm.Span, reply.Format);
        var at = (int)(reply.Sequence * (uint)frameSamples) + _delay;
        lock (_gate)
        {
            if (Stopwatch.GetElapsedTime(sent, arrived) > TimeSpan.FromSeconds((double)_delay / scene.SampleRate) || at < _heard)
            {
                Interlocked.Increment(ref _late);
                _lateFrames.Add((reply.Sequence, roundTrip, sent, arrived));
                return;
            }
            samples.AsSpan(0, Math.Min(samples.Length, _speaker.Length - at)).CopyTo(_speaker.AsSpan(at));
            _played[reply.Sequence] = true;
        }
        Interlocked.Increment(ref _answered);
    }
}
