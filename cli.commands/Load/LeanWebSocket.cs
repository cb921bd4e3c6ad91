using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using AncOrleans.Device;

namespace AncOrleans.Cli.Load;

/// <summary>
/// A device's WebSocket (RFC 6455, client side) as lean as the load generator needs: frames are masked and sent by the
/// caller's thread with one blocking <c>send</c>, and replies are read by one <see cref="ReplyPoller"/> thread for all
/// devices, in batches, each stamped with the kernel's arrival time. <see cref="ClientWebSocket"/> costs the generator
/// a thread wake-up and several tasks per reply, and times a reply when a thread gets to it, not when it arrived —
/// on a loaded machine the generator's own waits for a core end up in the gateway's latency.
/// The socket is only ever used synchronously, so .NET never registers it with its own epoll thread.
/// Handled: text, binary and fragmented messages, ping (answered with pong), close (answered). Not handled:
/// extensions (none is offered), TLS (<c>ws://</c> only; the load runs against a local gateway).
/// </summary>
internal sealed class LeanWebSocket : DeviceLink
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const byte Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    private readonly Socket _socket;
    private readonly Lock _sending = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ReplyPoller? _poller;
    private byte[] _out = new byte[4096];
    private byte[] _in = new byte[1 << 16];
    private int _inFill;
    private byte[] _fragments = [];
    private int _fragmentFill;
    private byte _fragmentOpcode;
    private volatile bool _closeSent, _broken;

    private LeanWebSocket(Socket socket)
    {
        _socket = socket;
        Fd = (int)socket.SafeHandle.DangerousGetHandle();
    }

    internal int Fd { get; }

    /// <summary>Each message from the gateway: (payload, isText, its arrival as a <see cref="System.Diagnostics.Stopwatch"/> timestamp).
    /// The payload is valid only during the call.</summary>
    public Action<ReadOnlyMemory<byte>, bool, long>? ReceivedAt { get; set; }

    /// <summary>Connects, upgrades <c>/v1/devices/{id}/stream</c> with the device's key, and hands the socket to <paramref name="poller"/>.</summary>
    public static async Task<LeanWebSocket> ConnectAsync(Uri server, string deviceId, string key, ReplyPoller poller, CancellationToken cancel)
    {
        if (server.Scheme != "http" && server.Scheme != "ws")
            throw new ArgumentException($"the lean WebSocket speaks ws:// only, not {server.Scheme}:// (use --socket client).");
        // Blocking calls on a pool thread: an async call would put the socket under .NET's own epoll for good.
        var link = await Task.Run(() => Handshake(server, deviceId, key), cancel);
        link._poller = poller;
        poller.Add(link);
        return link;
    }

    private static LeanWebSocket Handshake(Uri server, string deviceId, string key)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendTimeout = 2000, ReceiveTimeout = 5000 };
        try
        {
            socket.Connect(server.Host, server.Port);
            var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET /v1/devices/{Uri.EscapeDataString(deviceId)}/stream HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\n"
                + $"Connection: Upgrade\r\nSec-WebSocket-Key: {nonce}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {key}\r\n\r\n";
            socket.Send(Encoding.ASCII.GetBytes(request));
            var link = new LeanWebSocket(socket);
            var end = link.ReadHeaders();
            var headers = Encoding.ASCII.GetString(link._in, 0, end);
            var status = headers[..headers.IndexOf('\r')];
            if (!status.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                throw new WebSocketException($"the gateway answered the upgrade with '{status}'.");
            var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(nonce + AcceptGuid)));
            if (!headers.Contains($"\r\nSec-WebSocket-Accept: {expected}\r\n", StringComparison.OrdinalIgnoreCase))
                throw new WebSocketException("the gateway's upgrade answer has no matching Sec-WebSocket-Accept.");
            // Whatever came after the headers is the first frames.
            link._inFill -= end;
            Buffer.BlockCopy(link._in, end, link._in, 0, link._inFill);
            socket.ReceiveTimeout = 0;
            LinuxSockets.StampArrivals(socket);
            return link;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads until the end of the HTTP headers; returns the offset just past them.</summary>
    private int ReadHeaders()
    {
        while (true)
        {
            var n = _socket.Receive(_in, _inFill, _in.Length - _inFill, SocketFlags.None);
            if (n == 0) throw new WebSocketException("the gateway closed the connection during the upgrade.");
            _inFill += n;
            var end = _in.AsSpan(0, _inFill).IndexOf("\r\n\r\n"u8);
            if (end >= 0) return end + 4;
            if (_inFill == _in.Length) throw new WebSocketException("the gateway's upgrade answer is too long.");
        }
    }

    public override Task SendTextAsync(byte[] json, CancellationToken cancel) => SendTask(Text, json);

    public override Task SendBinaryAsync(byte[] frame, CancellationToken cancel) => SendTask(Binary, frame);

    private Task SendTask(byte opcode, byte[] payload)
    {
        try
        {
            Send(opcode, payload);
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is SocketException or WebSocketException or ObjectDisposedException)
        {
            return Task.FromException(e);
        }
    }

    /// <summary>One whole message, masked with a fresh key (RFC 6455 §5.3), in one blocking send.</summary>
    public void Send(byte opcode, ReadOnlySpan<byte> payload)
    {
        lock (_sending)
        {
            if (_broken) throw new WebSocketException("the connection is broken (an earlier send failed).");
            if (_closeSent) throw new WebSocketException("the connection is closing.");
            var header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
            var total = header + 4 + payload.Length;
            if (_out.Length < total) _out = new byte[Math.Max(total, 2 * _out.Length)];
            var frame = _out.AsSpan(0, total);
            frame[0] = (byte)(0x80 | opcode);
            if (header == 2) frame[1] = (byte)(0x80 | payload.Length);
            else if (header == 4)
            {
                frame[1] = 0x80 | 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame[2..], (ushort)payload.Length);
            }
            else
            {
                frame[1] = 0x80 | 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame[2..], (ulong)payload.Length);
            }
            var mask = MaskKeys.Next();
            BinaryPrimitives.WriteUInt32LittleEndian(frame[header..], mask);
            Mask(payload, frame[(header + 4)..], mask);
            if (opcode == Close) _closeSent = true;
            try
            {
                for (var sent = 0; sent < total;) sent += _socket.Send(frame[sent..], SocketFlags.None);
            }
            catch
            {
                _broken = true; // a partial frame would corrupt every later one
                throw;
            }
        }
    }

    /// <summary>output = payload XOR the key repeated (the key's bytes in the order they are on the wire).</summary>
    internal static void Mask(ReadOnlySpan<byte> payload, Span<byte> output, uint key)
    {
        var pattern = key | ((ulong)key << 32);
        var words = payload.Length / 8;
        var inWords = MemoryMarshal.Cast<byte, ulong>(payload[..(words * 8)]);
        var outWords = MemoryMarshal.Cast<byte, ulong>(output[..(words * 8)]);
        if (!BitConverter.IsLittleEndian) pattern = BinaryPrimitives.ReverseEndianness(pattern);
        for (var i = 0; i < inWords.Length; i++) outWords[i] = inWords[i] ^ pattern;
        for (var i = words * 8; i < payload.Length; i++) output[i] = (byte)(payload[i] ^ (byte)(key >> (8 * (i & 3))));
    }

    /// <summary>
    /// Called by the poller when the socket has input: reads it and hands on every whole message. False once the
    /// connection has ended (closed by the gateway, or broken).
    /// </summary>
    internal bool Drain()
    {
        if (_inFill == _in.Length) Array.Resize(ref _in, 2 * _in.Length);
        var n = LinuxSockets.Receive(Fd, _in.AsSpan(_inFill), out var arrived, out var errno);
        if (n < 0) return errno is LinuxSockets.EAgain or LinuxSockets.EIntr;
        if (n == 0) return false;
        _inFill += n;
        return Parse(arrived);
    }

    private bool Parse(long arrived)
    {
        var at = 0;
        var open = true;
        while (open && _inFill - at >= 2)
        {
            var b0 = _in[at];
            var b1 = _in[at + 1];
            var opcode = (byte)(b0 & 0x0F);
            var fin = (b0 & 0x80) != 0;
            var masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7F;
            var header = 2;
            if (length == 126)
            {
                if (_inFill - at < 4) break;
                length = BinaryPrimitives.ReadUInt16BigEndian(_in.AsSpan(at + 2));
                header = 4;
            }
            else if (length == 127)
            {
                if (_inFill - at < 10) break;
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(_in.AsSpan(at + 2));
                header = 10;
            }
            if (length > 16 << 20) return false; // no gateway message is that large: a broken stream
            var start = at + header + (masked ? 4 : 0);
            if (_inFill < start + length)
            {
                if (_in.Length < start - at + length) Array.Resize(ref _in, (int)Math.Max(2L * _in.Length, start - at + length));
                break;
            }
            var payload = _in.AsSpan(start, (int)length);
            if (masked) Mask(payload, payload, BinaryPrimitives.ReadUInt32LittleEndian(_in.AsSpan(at + header)));
            open = OnFrame(opcode, fin, _in.AsMemory(start, (int)length), arrived);
            at = start + (int)length;
        }
        _inFill -= at;
        if (at > 0 && _inFill > 0) Buffer.BlockCopy(_in, at, _in, 0, _inFill);
        return open;
    }

    private bool OnFrame(byte opcode, bool fin, ReadOnlyMemory<byte> payload, long arrived)
    {
        switch (opcode)
        {
            case Text or Binary when fin && _fragmentFill == 0:
                ReceivedAt?.Invoke(payload, opcode == Text, arrived);
                return true;
            case Text or Binary or Continuation:
                if (opcode != Continuation) (_fragmentOpcode, _fragmentFill) = (opcode, 0);
                if (_fragments.Length < _fragmentFill + payload.Length) Array.Resize(ref _fragments, Math.Max(2 * _fragments.Length, _fragmentFill + payload.Length));
                payload.Span.CopyTo(_fragments.AsSpan(_fragmentFill));
                _fragmentFill += payload.Length;
                if (fin)
                {
                    ReceivedAt?.Invoke(_fragments.AsMemory(0, _fragmentFill), _fragmentOpcode == Text, arrived);
                    _fragmentFill = 0;
                }
                return true;
            case Ping:
                TrySend(Pong, payload.Span);
                return true;
            case Close:
                TrySend(Close, payload.Length >= 2 ? payload.Span[..2] : []);
                return false;
            default:
                return true; // pong, or an opcode no gateway sends
        }
    }

    private void TrySend(byte opcode, ReadOnlySpan<byte> payload)
    {
        try
        {
            if (!_closeSent) Send(opcode, payload);
        }
        catch (Exception e) when (e is SocketException or WebSocketException or ObjectDisposedException)
        {
            // The connection is ending anyway.
        }
    }

    /// <summary>Called by the poller when the connection has ended.</summary>
    internal void Ended() => _ended.TrySetResult();

    public override async ValueTask DisposeAsync()
    {
        TrySend(Close, [0x03, 0xE8]); // 1000, normal closure
        // The gateway answers a close with its own; wait a little for it, then drop the socket either way.
        await _ended.Task.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _poller?.Remove(this);
        _socket.Dispose();
    }

    /// <summary>Masking keys from a strong random source (RFC 6455 §10.3), drawn 1,024 at a time per thread.</summary>
    private static class MaskKeys
    {
        [ThreadStatic] private static uint[]? _keys;
        [ThreadStatic] private static int _next;

        public static uint Next()
        {
            if (_keys is null || _next == _keys.Length)
            {
                _keys ??= new uint[1024];
                RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(_keys.AsSpan()));
                _next = 0;
            }
            return _keys[_next++];
        }
    }
}
