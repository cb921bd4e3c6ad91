using System.Net;
using System.Net.Sockets;
using AncOrleans.Aws.DynamoDb;

namespace AncOrleans.Tests;

/// <summary>
/// An AWS endpoint (DynamoDB, S3) on loopback that accepts connections and never finishes an answer: with no
/// <c>answer</c> it stays silent; with one it reads the request, sends those bytes (e.g. headers and the start of a
/// body), and then stalls. Stands in for a half-dead server or proxy, which cannot be made to misbehave here otherwise.
/// </summary>
internal sealed class FakeBrokenAwsEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly Task _accepting;

    public FakeBrokenAwsEndpoint(byte[]? answer)
    {
        _listener.Start();
        _accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_accepted) _accepted.Add(socket);
                    if (answer is not null) _ = AnswerPartlyAsync(socket, answer);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
    }

    public int Connections
    {
        get
        {
            lock (_accepted) return _accepted.Count;
        }
    }

    /// <summary>The endpoint's URL.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>DynamoDB options for a client of this endpoint, with a 1 s request timeout.</summary>
    public DynamoDbOptions Options(string tablePrefix) => new() { ServiceUrl = Url, TablePrefix = tablePrefix, RequestTimeout = TimeSpan.FromSeconds(1) };

    private static async Task AnswerPartlyAsync(Socket socket, byte[] answer)
    {
        try
        {
            await socket.ReceiveAsync(new byte[65536]);
            await socket.SendAsync(answer);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        lock (_accepted) foreach (var socket in _accepted) socket.Dispose();
        await _accepting;
    }
}
