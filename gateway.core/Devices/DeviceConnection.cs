using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using AncOrleans.Dsp;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// A device on a WebSocket: a receive loop feeding its <see cref="DeviceSession"/> and a send loop draining the
/// session's bounded outbound queue, so a client that stops reading never stalls processing, nor anyone else. A
/// connection with no complete message for <c>Gateway:IdleTimeoutSeconds</c> (idle, or stuck half-way through a
/// message) is closed; so is one the server ends (<see cref="CloseAsync"/>: replaced, revoked, ended by the API).
/// </summary>
public sealed class DeviceConnection(string sessionId, WebSocket socket, IGrainFactory grains, IOptions<GatewayOptions> options,
    GatewayMetrics metrics, ILogger<DeviceConnection> logger, AlertWebhook? webhook = null, Analytics.AnalyticsRecorder? analytics = null) : IDeviceEndpoint
{
    private readonly DeviceSession _session = new(sessionId, grains, options, metrics, webhook, analytics);
    private readonly int _maxMessageBytes = options.Value.MaxMessageBytes;
    private readonly TimeSpan _idleTimeout = TimeSpan.FromSeconds(options.Value.IdleTimeoutSeconds);
    private readonly CancellationTokenSource _closed = new();
    private long _lastMessage = Stopwatch.GetTimestamp();

    public string SessionId => sessionId;

    public string Transport => "websocket";

    public DeviceSession Session => _session;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, _closed.Token);
        var process = _session.RunAsync(stop.Token);
        var send = SendLoopAsync(stop.Token);
        var idle = IdleWatchAsync(stop.Token);
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
            _session.Complete();
            await process.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await stop.CancelAsync();
            await send.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await idle.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "session ended", CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>
    /// Ends the session from the server side (REST DELETE, a newer connection, a revoked key, idle): a close frame
    /// with the reason, then the loops stop when the client answers the close, and at the latest 250 ms later
    /// (time for the close frame to reach a client that reads; one that does not is cut all the same).
    /// </summary>
    public async Task CloseAsync(string reason)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, reason, timeout.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        _closed.CancelAfter(TimeSpan.FromMilliseconds(250));
    }

    private async Task IdleWatchAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Min(1, _idleTimeout.TotalSeconds / 4)));
        while (await timer.WaitForNextTickAsync(cancel))
        {
            if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastMessage)) < _idleTimeout) continue;
            metrics.ConnectionsClosedIdle.Add(1);
            await CloseAsync($"idle: no complete message for {_idleTimeout.TotalSeconds:0.#} s (send {{\"type\":\"ping\"}} to stay connected)");
            return;
        }
    }

    // A frame's message is a few KB (10 ms of 48 kHz stereo float32: 3.9 KB); a connection keeps a buffer that size
    // and borrows a larger one from the shared pool only for a longer message (an edge batch, up to MaxMessageBytes),
    // giving it back afterwards. A buffer of MaxMessageBytes per connection (256 KB) was most of a session's memory.
    private const int ConnectionBufferBytes = 16 * 1024;

    private async Task ReceiveLoopAsync(CancellationToken cancel)
    {
        var own = SessionArray.Of<byte>(Math.Min(ConnectionBufferBytes, _maxMessageBytes)); // lives as long as the connection
        while (!cancel.IsCancellationRequested && socket.State == WebSocketState.Open)
        {
            var buffer = own;
            byte[]? borrowed = null;
            try
            {
                var length = 0;
                var oversize = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    var capacity = Math.Min(buffer.Length, _maxMessageBytes);
                    if (length == capacity)
                    {
                        if (capacity == _maxMessageBytes) { oversize = true; length = 0; } // keep reading, discard
                        else
                        {
                            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxMessageBytes, capacity * 4));
                            buffer.AsSpan(0, length).CopyTo(larger);
                            if (borrowed is not null) ArrayPool<byte>.Shared.Return(borrowed);
                            buffer = borrowed = larger;
                            capacity = Math.Min(buffer.Length, _maxMessageBytes);
                        }
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(length, capacity - length), cancel);
                    length += result.Count;
                }
                while (!result.EndOfMessage);
                if (result.MessageType == WebSocketMessageType.Close) return;
                var received = Stopwatch.GetTimestamp();
                Interlocked.Exchange(ref _lastMessage, received);
                if (oversize) _session.Oversize();
                else if (result.MessageType == WebSocketMessageType.Text) await _session.HandleTextAsync(buffer.AsMemory(0, length));
                else _session.HandleBinary(buffer.AsMemory(0, length), received);
            }
            finally
            {
                if (borrowed is not null) ArrayPool<byte>.Shared.Return(borrowed);
            }
        }
    }

    private async Task SendLoopAsync(CancellationToken cancel)
    {
        await foreach (var (payload, text) in _session.Outbound.DrainAsync(cancel))
        {
            await socket.SendAsync(payload, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, cancel);
            // Sent (the socket copied it into its own buffer): an anti-noise reply's array goes back for a later reply.
            if (!text) DeviceSession.Sent(payload);
        }
    }
}
