using System.Diagnostics;
using System.Net.WebSockets;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// A device on a WebSocket: a receive loop feeding its <see cref="DeviceSession"/> and a send loop draining the
/// session's bounded outbound queue, so a client that stops reading never stalls processing, nor anyone else.
/// </summary>
public sealed class DeviceConnection(string sessionId, WebSocket socket, IGrainFactory grains, IOptions<GatewayOptions> options,
    GatewayMetrics metrics, ILogger<DeviceConnection> logger, AlertWebhook? webhook = null)
{
    private readonly DeviceSession _session = new(sessionId, grains, options, metrics, webhook);
    private readonly int _maxMessageBytes = options.Value.MaxMessageBytes;

    public string SessionId => sessionId;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var process = _session.RunAsync(stop.Token);
        var send = SendLoopAsync(stop.Token);
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
            await send.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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
        var buffer = new byte[_maxMessageBytes];
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
            if (oversize) _session.Oversize();
            else if (result.MessageType == WebSocketMessageType.Text) await _session.HandleTextAsync(buffer.AsMemory(0, length));
            else _session.HandleBinary(buffer.AsMemory(0, length), received);
        }
    }

    private async Task SendLoopAsync(CancellationToken cancel)
    {
        await foreach (var (payload, text) in _session.Outbound.Reader.ReadAllAsync(cancel))
            await socket.SendAsync(payload, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, cancel);
    }
}
