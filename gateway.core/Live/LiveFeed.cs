using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Gateway.Devices;

namespace AncOrleans.Gateway.Live;

/// <summary>
/// One viewer's update channel (a WebSocket). The viewer says what is on its screen (<see cref="LiveSubscription"/>:
/// a page of the list, one session); every <see cref="LiveOptions.UpdateIntervalMs"/> the feed asks the grains for
/// exactly that — one <c>GetOverviewAsync</c> per listed row, one <c>WatchAsync</c> and one classifier call for the
/// watched session — and sends one message. So a viewer costs at most MaxListRows + 2 grain calls per interval however
/// many sessions run, and a session nobody lists costs nothing. Sending is awaited before the next tick (a slow viewer
/// gets fewer updates, never a queue).
/// </summary>
public sealed class LiveFeed(WebSocket socket, LiveOptions options, SessionRegistry registry, IGrainFactory grains, ILogger logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const int MaxInboundBytes = 4096;
    private readonly SemaphoreSlim _sending = new(1, 1); // the error reply and the updates share the socket
    private volatile LiveSubscription _subscription = new(new LiveListRange(0, 25), null);

    public async Task RunAsync(CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var send = SendLoopAsync(stop.Token);
        try
        {
            await ReceiveLoopAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            logger.LogDebug("Live viewer left: {Reason}", e.Message);
        }
        finally
        {
            await stop.CancelAsync();
            await send.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ReceiveLoopAsync(CancellationToken cancel)
    {
        var buffer = new byte[MaxInboundBytes];
        while (!cancel.IsCancellationRequested)
        {
            var filled = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (filled == buffer.Length)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, $"a subscription is at most {MaxInboundBytes} bytes", cancel);
                    return;
                }
                result = await socket.ReceiveAsync(buffer.AsMemory(filled), cancel);
                if (result.MessageType == WebSocketMessageType.Close) return;
                filled += result.Count;
            }
            while (!result.EndOfMessage);
            if (TryParse(buffer.AsSpan(0, filled), out var subscription, out var error)) _subscription = subscription!;
            else await SendAsync(new { type = "error", reason = error }, cancel);
        }
    }

    /// <summary>Reads <c>{"list":{"offset":0,"count":25},"watch":"device-1"}</c>; either part may be null.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> message, out LiveSubscription? subscription, out string? error)
    {
        subscription = null;
        try
        {
            subscription = JsonSerializer.Deserialize<LiveSubscription>(message, Json);
        }
        catch (JsonException e)
        {
            error = $"bad subscription: {e.Message}; expected {{\"list\":{{\"offset\":0,\"count\":25}},\"watch\":\"<session id>\"}}";
            return false;
        }
        if (subscription is null)
        {
            error = "bad subscription: null";
            return false;
        }
        if (subscription.List is { } list && (list.Offset < 0 || list.Count < 0))
        {
            error = $"bad subscription: list offset and count must be ≥ 0, got {list.Offset} and {list.Count}";
            return false;
        }
        if (subscription.Watch is { } id && !AncOrleans.Abstractions.Protocol.DeviceId.TryParse(id, out _, out var badId))
        {
            error = $"bad subscription: {badId}";
            return false;
        }
        error = null;
        return true;
    }

    private async Task SendLoopAsync(CancellationToken cancel)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.UpdateIntervalMs));
        do
        {
            var update = await BuildAsync(_subscription);
            await SendAsync(update, cancel);
        }
        while (await timer.WaitForNextTickAsync(cancel));
    }

    /// <summary>The update for one subscription: only the listed page and the watched session are read.</summary>
    internal async Task<LiveUpdate> BuildAsync(LiveSubscription subscription)
    {
        var all = registry.Sessions.ToArray();
        LiveRow[]? rows = null;
        var offset = 0;
        if (subscription.List is { } list)
        {
            offset = Math.Min(list.Offset, all.Length);
            var page = all.AsSpan(offset, Math.Min(Math.Min(list.Count, options.MaxListRows), all.Length - offset)).ToArray();
            var overviews = await Task.WhenAll(page.Select(OverviewAsync));
            rows = [.. page.Select((id, i) => Row(id, overviews[i]))];
        }
        LiveDetail? detail = null;
        // Only sessions this gateway serves are read: a viewer cannot activate grains for arbitrary ids.
        if (subscription.Watch is { } watched && registry.Contains(watched))
        {
            var view = WatchAsync(watched);
            var classes = TopClassesAsync(watched);
            if (await view is { } v)
            {
                var spectrum = v.Spectrum is { } s ? new LiveSpectrum(s.SampleRate, s.BinHz, Round(s.NoiseDb), Round(s.ResidualDb), s.Snapshots) : null;
                detail = new LiveDetail(Row(watched, v.Overview), Round(v.ReductionHistoryDb), spectrum, await classes, v.Alerts);
            }
        }
        return new LiveUpdate("update", DateTimeOffset.UtcNow, all.Length, offset, rows, detail);
    }

    private async Task<SessionOverview?> OverviewAsync(string id)
    {
        try
        {
            return await grains.GetGrain<ISessionGrain>(id).GetOverviewAsync().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null; // moving between silos, or gone: shown as unavailable this time
        }
    }

    private async Task<SessionView?> WatchAsync(string id)
    {
        try
        {
            return await grains.GetGrain<ISessionGrain>(id).WatchAsync().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private async Task<ClassScore[]> TopClassesAsync(string id)
    {
        try
        {
            return await grains.GetGrain<IClassifierGrain>(id).GetTopClassesAsync(5).WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return [];
        }
    }

    private LiveRow Row(string id, SessionOverview? overview)
    {
        var connected = registry.TryGetConnection(id, out var endpoint);
        var latency = endpoint?.Session.Latency.Percentiles();
        var stats = overview?.Stats;
        return new LiveRow(id, connected, endpoint?.Transport, stats?.Mode ?? "", stats?.Algorithm ?? "", stats?.ConvergenceState.ToString() ?? "unavailable",
            Math.Round(stats?.ReductionDbShortTerm ?? 0, 1), Math.Round(stats?.ReductionDbSinceStart ?? 0, 1), stats?.NoiseLabel, stats?.Profile,
            overview?.Alerts ?? 0, overview?.LastAlert, latency is { } l ? Math.Round(l.P50, 2) : null, latency is { } m ? Math.Round(m.P99, 2) : null,
            overview?.Silo ?? "", stats?.FramesIn ?? 0, stats?.FramesOut ?? 0, stats?.LastError);
    }

    private static float[] Round(float[] values)
    {
        var rounded = new float[values.Length];
        for (var i = 0; i < values.Length; i++) rounded[i] = MathF.Round(values[i], 1);
        return rounded;
    }

    private async Task SendAsync<T>(T message, CancellationToken cancel)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var writer = new Utf8JsonWriter(buffer)) JsonSerializer.Serialize(writer, message, Json);
        await _sending.WaitAsync(cancel);
        try
        {
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancel);
        }
        finally
        {
            _sending.Release();
        }
    }
}
