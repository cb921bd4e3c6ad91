using System.Buffers.Binary;
using System.Diagnostics;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Device;

namespace AncOrleans.Cli.Load;

/// <summary>
/// One device of <c>anc load</c>: sends precomputed frames (shared by every device; only the header's sequence and
/// timestamp are its own) when the pacer says, and checks every reply: its sequence must be one it sent, after the
/// last one answered, and it must arrive within the deadline (the loop delay D, as <c>anc sim</c> counts late).
/// No acoustics are simulated: the generator costs as little as a device can, so its CPU is the gateway's.
/// Edge mode: frames carry the tag "version 0 played" (the device never applies a set, which is consistent with the
/// open loop); a coefficient set is matched to the frame it was fitted on (its timestamp is that frame's end).
/// </summary>
internal sealed class LoadDevice
{
    private readonly LoadFrames _frames;
    private readonly long[] _sentAt;
    private readonly float[] _roundTripMs;
    private readonly long _deadlineTicks;
    private readonly byte[][] _buffers = new byte[4][];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _sending = Task.CompletedTask;
    private DeviceLink? _link;
    private long _lastReply = -1;
    private int _answered, _late, _unknown, _outOfOrder, _errors, _sets, _sent;

    public LoadDevice(string id, LoadFrames frames, int totalFrames, double deadlineMs)
    {
        Id = id;
        _frames = frames;
        _sentAt = new long[totalFrames];
        _roundTripMs = new float[totalFrames];
        _deadlineTicks = (long)(deadlineMs * Stopwatch.Frequency / 1000);
        for (var i = 0; i < _buffers.Length; i++) _buffers[i] = new byte[frames.MessageBytes];
    }

    public string Id { get; }
    public int Sent => Volatile.Read(ref _sent);
    public int Answered => Volatile.Read(ref _answered);
    public int Late => Volatile.Read(ref _late);
    public int Errors => Volatile.Read(ref _errors);
    public int UnknownReplies => _unknown;
    public int OutOfOrder => _outOfOrder;
    public int Sets => _sets;

    /// <summary>Round trip of frame k in ms (0: not answered in time or not at all).</summary>
    public float RoundTripMs(int k) => Volatile.Read(ref _roundTripMs[k]);

    public async Task ConnectAsync(Func<string, CancellationToken, Task<DeviceLink>> connect, CancellationToken cancel)
    {
        _link = await connect(Id, cancel);
        if (_link is LeanWebSocket lean) lean.ReceivedAt = OnReceived; // timed by the kernel's arrival stamp
        else _link.Received = (message, text) => OnReceived(message, text, Stopwatch.GetTimestamp());
        await _link.SendTextAsync(_frames.Start, cancel);
        await _started.Task.WaitAsync(TimeSpan.FromSeconds(20), cancel);
    }

    /// <summary>Sends frame k now (called by the pacer). A send still on its way is followed, never overlapped.</summary>
    public void Send(int k)
    {
        var buffer = _buffers[k % _buffers.Length];
        _frames.Write(k, buffer);
        if (_sending.IsCompleted) _sending = SendAsync(k, buffer);
        else _sending = AfterAsync(_sending, k, buffer);
    }

    private async Task AfterAsync(Task previous, int k, byte[] buffer)
    {
        await previous;
        await SendAsync(k, buffer);
    }

    private async Task SendAsync(int k, byte[] buffer)
    {
        try
        {
            Volatile.Write(ref _sentAt[k], Stopwatch.GetTimestamp());
            await _link!.SendBinaryAsync(buffer, CancellationToken.None);
            Interlocked.Increment(ref _sent);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    public async Task CloseAsync()
    {
        await _sending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_link is not null) await _link.DisposeAsync();
    }

    private void OnReceived(ReadOnlyMemory<byte> message, bool text, long arrived)
    {
        var span = message.Span;
        if (text)
        {
            if (span.IndexOf("\"started\""u8) >= 0) _started.TrySetResult();
            else if (span.IndexOf("\"error\""u8) >= 0) Interlocked.Increment(ref _errors);
            return;
        }
        long sequence;
        if (span.Length >= CoefficientMessage.HeaderSize && CoefficientMessage.IsCoefficients(span))
        {
            // Fitted on the frame that ends at its timestamp.
            var endUs = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
            sequence = endUs / _frames.FrameUs - 1;
            _sets++;
        }
        else if (span.Length >= WireFrame.HeaderSize && span[1] == WireFrame.AntiNoise)
        {
            sequence = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        }
        else
        {
            return;
        }
        if (sequence < 0 || sequence >= _sentAt.Length || Volatile.Read(ref _sentAt[sequence]) == 0)
        {
            _unknown++;
            return;
        }
        if (sequence <= _lastReply && !_frames.Edge) _outOfOrder++;
        _lastReply = Math.Max(_lastReply, sequence);
        var ticks = arrived - _sentAt[sequence];
        Volatile.Write(ref _roundTripMs[sequence], (float)(ticks * 1000.0 / Stopwatch.Frequency));
        if (_frames.Edge) return;
        if (ticks > _deadlineTicks) Interlocked.Increment(ref _late);
        else Interlocked.Increment(ref _answered);
    }
}

/// <summary>
/// The frames every device sends, computed once: the scene's reference and error mic as int16, one message per frame (10 ms, or <c>--frame-ms</c> in edge mode)
/// frame, looped; a device's own sequence and timestamp are written into a copy at send time.
/// </summary>
internal sealed class LoadFrames
{
    private readonly byte[][] _messages;

    public LoadFrames(float[] reference, float[] error, int sampleRate, int frameSamples, bool edge, float[] secondaryPath, double dutyCycle = 1)
    {
        Edge = edge;
        FrameUs = frameSamples * 1_000_000L / sampleRate;
        var count = reference.Length / frameSamples;
        _messages = new byte[count][];
        for (var k = 0; k < count; k++)
        {
            var pcm = FrameCodec.EncodeStereo(reference.AsSpan(k * frameSamples, frameSamples), error.AsSpan(k * frameSamples, frameSamples), Abstractions.SampleFormat.Int16);
            _messages[k] = new WireFrame(edge ? WireFrame.EdgeAudio : WireFrame.Audio, Abstractions.SampleFormat.Int16, 2, (uint)k, 0, frameSamples, sampleRate, pcm).ToBytes();
        }
        MessageBytes = _messages[0].Length;
        Start = edge
            ? new EdgeDevice(sampleRate, 512, frameSamples).Start(secondaryPath, dutyCycle: dutyCycle).ToUtf8()
            : new ControlMessage
            {
                Type = "start", SampleRate = sampleRate, FrameSamples = frameSamples, Format = "int16", Channels = ["reference", "error"],
                Mode = "antinoise", Algorithm = "hybrid", DelayMs = 20, FilterLength = 512, SecondaryPath = secondaryPath,
            }.ToUtf8();
    }

    public bool Edge { get; }
    public long FrameUs { get; }
    public int MessageBytes { get; }
    public byte[] Start { get; }

    /// <summary>Frame k (looping over the scene) with sequence k and timestamp k · the frame's length into <paramref name="buffer"/>.</summary>
    public void Write(int k, byte[] buffer)
    {
        _messages[k % _messages.Length].CopyTo(buffer, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(4), (uint)k);
        BinaryPrimitives.WriteInt64LittleEndian(buffer.AsSpan(8), k * FrameUs);
    }
}
