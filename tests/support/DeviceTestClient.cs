using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Tests;

/// <summary>A device's side of the WebSocket protocol, for tests.</summary>
public sealed class DeviceTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();

    /// <summary>Connects with the device's key (Authorization: Bearer), or with none when <paramref name="key"/> is null.</summary>
    public static async Task<DeviceTestClient> ConnectAsync(Uri baseUrl, string deviceId, string? key)
    {
        var client = new DeviceTestClient();
        if (key is not null) client._socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        await client._socket.ConnectAsync(new Uri($"ws://{baseUrl.Authority}/v1/devices/{deviceId}/stream"), CancellationToken.None);
        return client;
    }

    public Task SendTextAsync(string text) => _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) => _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public async Task<ControlMessage> StartAsync(int delayMs = 20)
    {
        await SendTextAsync(JsonSerializer.Serialize(new ControlMessage { Type = "start", SampleRate = 48_000, FrameSamples = 480, Format = "float32", Mode = "antinoise", Algorithm = "hybrid", DelayMs = delayMs }));
        return await NextTextAsync("started");
    }

    public static byte[] AudioFrame(uint sequence, long timestampUs, int samples = 480, float value = 0.01f, SampleFormat format = SampleFormat.Float32, int rate = 48_000)
    {
        var x = Enumerable.Range(0, samples).Select(i => value * MathF.Sin(i * 0.1f)).ToArray();
        return new WireFrame(WireFrame.Audio, format, 2, sequence, timestampUs, samples, rate, FrameCodec.EncodeStereo(x, x, format)).ToBytes();
    }

    /// <summary>The next message: (binary frame, null) or (null, text message).</summary>
    public async Task<(WireFrame? Frame, ControlMessage? Text)> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[1 << 17];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.AsMemory(length), cancel.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);
        if (result.MessageType == WebSocketMessageType.Text) return (null, JsonSerializer.Deserialize<ControlMessage>(buffer.AsSpan(0, length)));
        Assert.True(WireFrame.TryParse(buffer.AsMemory(0, length).ToArray(), out var frame, out var error), error);
        return (frame, null);
    }

    /// <summary>Skips stats events; returns the next text message of the given type.</summary>
    public async Task<ControlMessage> NextTextAsync(string type)
    {
        while (true)
        {
            var (_, text) = await ReceiveAsync();
            if (text?.Type == type) return text;
        }
    }

    /// <summary>Skips stats events; returns the next error or anti-noise frame.</summary>
    public async Task<(WireFrame? Frame, ControlMessage? Error)> NextReplyAsync()
    {
        while (true)
        {
            var (frame, text) = await ReceiveAsync();
            if (frame is not null) return (frame, null);
            if (text?.Type == "error") return (null, text);
        }
    }

    public WebSocketState State => _socket.State;

    /// <summary>Why the server closed the socket (null while open).</summary>
    public string? CloseReason => _socket.CloseStatusDescription;

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }
}
