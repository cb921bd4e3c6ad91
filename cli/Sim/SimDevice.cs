using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Wire;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Acoustics;
using AncOrleans.Grains.Sessions;

namespace AncOrleans.Cli.Sim;

/// <summary>
/// One simulated device: it plays the acoustic world of <c>anc eval</c> in real time, sends reference and
/// error mic every 10 ms, and plays each anti-noise frame it receives through the true S(z) at its playout
/// time — if the frame arrived before that time; otherwise the speaker stays silent for it (late).
/// </summary>
internal sealed class SimDevice(string deviceId, AcousticScene scene, double delayMs, string algorithm, int frameSamples = 480)
{
    private readonly int _delay = AncSettings.MillisecondsToSamples(delayMs, scene.SampleRate);
    private readonly float[] _speaker = new float[scene.Length + AncSettings.MillisecondsToSamples(delayMs, scene.SampleRate) + frameSamples];
    private readonly ConcurrentDictionary<uint, long> _sentAt = new();
    private readonly ConcurrentBag<double> _roundTrips = new();
    private int _answered, _late, _errors;

    public string DeviceId => deviceId;
    public float[] Ear { get; } = new float[scene.Length];
    public AcousticScene Scene => scene;
    public int Sent { get; private set; }
    public int Position { get; private set; }
    public int Answered => _answered;
    public int Late => _late;
    public int Errors => _errors;
    public IReadOnlyCollection<double> RoundTripsMs => _roundTrips;

    public async Task RunAsync(Uri server, double seconds, CancellationToken cancel)
    {
        using var socket = new ClientWebSocket();
        var endpoint = new UriBuilder(server) { Scheme = server.Scheme == "https" ? "wss" : "ws", Path = $"/v1/devices/{deviceId}/stream" }.Uri;
        await socket.ConnectAsync(endpoint, cancel);
        var start = JsonSerializer.SerializeToUtf8Bytes(new ControlMessage
        {
            Type = "start", SampleRate = scene.SampleRate, FrameSamples = frameSamples, Format = "int16", Channels = ["reference", "error"],
            Mode = "antinoise", Algorithm = algorithm, DelayMs = delayMs, FilterLength = 512, SecondaryPath = scene.SecondaryPath,
        });
        await socket.SendAsync(start, WebSocketMessageType.Text, true, cancel);
        var receive = ReceiveLoopAsync(socket, cancel);

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
            for (var n = Position; n < Position + frameSamples; n++) Ear[n] = scene.Disturbance[n] + secondary.Process(_speaker[n]);
            var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(Position, frameSamples), Ear.AsSpan(Position, frameSamples), SampleFormat.Int16);
            var frame = new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, sequence, (long)Position * 1_000_000 / scene.SampleRate, frameSamples, scene.SampleRate, pcm);
            _sentAt[sequence] = Stopwatch.GetTimestamp();
            await socket.SendAsync(frame.ToBytes(), WebSocketMessageType.Binary, true, cancel);
            Sent++;
            Position += frameSamples;
        }
        // Grace for the last replies, then close.
        var grace = Stopwatch.GetTimestamp();
        while (_answered + _late + _errors < Sent && Stopwatch.GetElapsedTime(grace) < TimeSpan.FromSeconds(2)) await Task.Delay(10, cancel);
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", cancel);
        await receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, CancellationToken cancel)
    {
        var buffer = new byte[1 << 16];
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), cancel);
                length += result.Count;
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close) return;
            var arrived = Stopwatch.GetTimestamp();
            if (result.MessageType == WebSocketMessageType.Text)
            {
                var message = JsonSerializer.Deserialize<ControlMessage>(buffer.AsSpan(0, length));
                if (message?.Type == "error") Interlocked.Increment(ref _errors);
                continue;
            }
            if (!WireFrame.TryParse(buffer.AsMemory(0, length), out var reply, out _) || !_sentAt.TryGetValue(reply.Sequence, out var sent)) continue;
            _roundTrips.Add(Stopwatch.GetElapsedTime(sent, arrived).TotalMilliseconds);
            // It must be in the speaker before its playout time, D after the frame's first sample was sent.
            if (Stopwatch.GetElapsedTime(sent, arrived) > TimeSpan.FromSeconds((double)_delay / scene.SampleRate))
            {
                Interlocked.Increment(ref _late);
                continue;
            }
            var samples = FrameCodec.DecodeMono(reply.Pcm.ToArray(), reply.Format);
            var at = (int)(reply.Sequence * (uint)frameSamples) + _delay;
            samples.AsSpan(0, Math.Min(samples.Length, _speaker.Length - at)).CopyTo(_speaker.AsSpan(at));
            Interlocked.Increment(ref _answered);
        }
    }

}
