using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AncOrleans.Cli.Load;

namespace AncOrleans.Tests;

/// <summary>
/// <c>anc load</c>'s lean WebSocket (<see cref="LeanWebSocket"/>, <see cref="ReplyPoller"/>) against a server written here
/// from RFC 6455 (a plain <see cref="TcpListener"/>): the upgrade, masked client frames, the server's text, binary and
/// fragmented messages, ping and close, and replies timed by the kernel's arrival stamp. The gateway's own endpoint is
/// exercised through it by <c>LoadCommandTests</c>.
/// </summary>
public sealed class LeanWebSocketTests
{
    [Fact]
    public void Masking_is_the_key_repeated_over_every_length()
    {
        var key = 0xA1B2C3D4u;
        var keyBytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(keyBytes, key);
        for (var length = 0; length < 40; length++)
        {
            var payload = RandomNumberGenerator.GetBytes(length);
            var masked = new byte[length];
            LeanWebSocket.Mask(payload, masked, key);
            for (var i = 0; i < length; i++) Assert.Equal((byte)(payload[i] ^ keyBytes[i % 4]), masked[i]);
        }
    }

    [Fact]
    public async Task Talks_rfc6455_to_a_server_and_times_replies_by_their_arrival()
    {
        if (!LinuxSockets.Supported) return; // the lean socket is Linux x86-64 only; anc load falls back to ClientWebSocket
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var poller = new ReplyPoller();
        var received = new List<(string Text, bool IsText, long At)>();
        var serverTask = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var request = ReadHeaders(stream);
            Assert.StartsWith("GET /v1/devices/dev-1/stream HTTP/1.1", request);
            Assert.Contains("Authorization: Bearer key-1", request);
            var nonce = request.Split("\r\n").Single(l => l.StartsWith("Sec-WebSocket-Key: ", StringComparison.Ordinal))[19..];
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(nonce + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            // The answer and a first message in one segment: the client must keep what follows the headers.
            var answer = Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n");
            stream.Write([.. answer, .. Frame(0x81, "hello"u8)]);

            // The client's binary message arrives masked, and unmasks to what it sent.
            var (opcode, payload, masked) = ReadFrame(stream);
            Assert.Equal(0x82, opcode);
            Assert.True(masked);
            Assert.Equal(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray(), payload);

            stream.Write([.. Frame(0x02, "frag-"u8), .. Frame(0x80, "ment"u8)]); // binary in two fragments
            stream.Write(Frame(0x89, "are you there"u8));                       // ping
            (opcode, payload, _) = ReadFrame(stream);
            Assert.Equal(0x8A, opcode);                                          // pong, same payload
            Assert.Equal("are you there", Encoding.ASCII.GetString(payload));
            stream.Write(Frame(0x88, [0x03, 0xE8]));                             // close 1000
            (opcode, payload, _) = ReadFrame(stream);
            Assert.Equal(0x88, opcode);                                          // answered
            Assert.Equal(new byte[] { 0x03, 0xE8 }, payload);
        });

        var before = Stopwatch.GetTimestamp();
        await using var link = await LeanWebSocket.ConnectAsync(new Uri($"http://127.0.0.1:{port}"), "dev-1", "key-1", poller, CancellationToken.None);
        var done = new TaskCompletionSource();
        link.ReceivedAt = (message, text, at) =>
        {
            lock (received) received.Add((Encoding.ASCII.GetString(message.Span), text, at));
            if (Encoding.ASCII.GetString(message.Span) == "frag-ment") done.TrySetResult();
        };
        // "hello" may have been read before the handler was set; what the server sends after the client's message cannot.
        await link.SendBinaryAsync(Enumerable.Range(0, 300).Select(i => (byte)i).ToArray(), CancellationToken.None);
        await done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await serverTask.WaitAsync(TimeSpan.FromSeconds(10));

        var fragmented = received.Single(r => r.Text == "frag-ment");
        Assert.False(fragmented.IsText);
        Assert.InRange(fragmented.At, before, Stopwatch.GetTimestamp());
    }

    private static string ReadHeaders(NetworkStream stream)
    {
        var bytes = new List<byte>();
        while (bytes.Count < 4 || !bytes.TakeLast(4).SequenceEqual("\r\n\r\n"u8.ToArray())) bytes.Add((byte)stream.ReadByte());
        return Encoding.ASCII.GetString([.. bytes]);
    }

    /// <summary>A server frame (unmasked): the first byte as given (FIN and opcode), then the length and the payload.</summary>
    private static byte[] Frame(byte first, ReadOnlySpan<byte> payload)
    {
        Assert.True(payload.Length < 126);
        return [first, (byte)payload.Length, .. payload];
    }

    private static (int Opcode, byte[] Payload, bool Masked) ReadFrame(NetworkStream stream)
    {
        var head = new byte[2];
        stream.ReadExactly(head);
        var masked = (head[1] & 0x80) != 0;
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            var ext = new byte[2];
            stream.ReadExactly(ext);
            length = BinaryPrimitives.ReadUInt16BigEndian(ext);
        }
        var key = new byte[4];
        if (masked) stream.ReadExactly(key);
        var payload = new byte[length];
        stream.ReadExactly(payload);
        if (masked) for (var i = 0; i < payload.Length; i++) payload[i] ^= key[i % 4];
        return (head[0], payload, masked);
    }
}
