using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.Serialization;

namespace AncOrleans.Tests;

/// <summary>
/// A checkpoint write whose answer is lost: DynamoDB applied it, the SDK's attempt timed out and it sent the conditional
/// put again, whose condition then failed on the ETag the first attempt had written — the grain's own. Seen in a
/// failover run (a session's write took 5,024 ms, then every later checkpoint of that session failed as "changed by
/// another writer"). The write succeeded, and the session goes on checkpointing. Between the SDK and DynamoDB Local sits
/// a proxy that passes every byte but withholds the answer to the first PutItem.
/// </summary>
public sealed class DynamoDbLostAnswerTests
{
    [Fact]
    public async Task A_write_whose_answer_was_lost_is_not_taken_for_a_conflict_and_the_next_write_succeeds()
    {
        await using var proxy = LostAnswerProxy.ToDynamoDbLocal("DynamoDB_20120810.PutItem");
        var storage = await proxy.StorageAsync();
        var id = GrainId.Create("session", Guid.NewGuid().ToString("N"));

        var state = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FramesIn = 1 });
        await storage.WriteStateAsync("session", id, state); // the first PutItem's answer is withheld; the SDK retries
        Assert.Equal(1, proxy.Withheld);
        state.State!.FramesIn = 2;
        await storage.WriteStateAsync("session", id, state); // with the ETag the first write really wrote

        var read = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await storage.ReadStateAsync("session", id, read);
        Assert.Equal(2, read.State!.FramesIn);
        Assert.Equal(state.ETag, read.ETag);
    }

    [Fact]
    public async Task A_clear_whose_answer_was_lost_is_not_taken_for_a_conflict()
    {
        await using var proxy = LostAnswerProxy.ToDynamoDbLocal("DynamoDB_20120810.DeleteItem");
        var storage = await proxy.StorageAsync();
        var id = GrainId.Create("session", Guid.NewGuid().ToString("N"));
        var state = new GrainState<SessionCheckpoint>(new SessionCheckpoint { FramesIn = 1 });
        await storage.WriteStateAsync("session", id, state);

        await storage.ClearStateAsync("session", id, state); // the delete's answer is withheld; the SDK retries
        Assert.Equal(1, proxy.Withheld);
        var read = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        await storage.ReadStateAsync("session", id, read);
        Assert.False(read.RecordExists);
    }

    /// <summary>
    /// Passes TCP both ways; on the first connection whose request names <c>target</c> (the X-Amz-Target header), the
    /// server's answer is read and dropped and the client is left waiting.
    /// </summary>
    private sealed class LostAnswerProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly string _host;
        private readonly int _port;
        private readonly byte[] _target;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _open = [];
        private readonly Task _accepting;
        private int _withheld;

        public LostAnswerProxy(string host, int port, string target)
        {
            (_host, _port, _target) = (host, port, Encoding.ASCII.GetBytes(target));
            _listener.Start();
            _accepting = AcceptAsync();
        }

        /// <summary>A proxy in front of the tests' DynamoDB Local (a fresh table prefix).</summary>
        public static LostAnswerProxy ToDynamoDbLocal(string target)
        {
            var local = DynamoDbLocal.Options();
            var upstream = new Uri(local.ServiceUrl!);
            return new LostAnswerProxy(upstream.Host, upstream.Port, target) { _prefix = local.TablePrefix };
        }

        private string _prefix = "";

        /// <summary>The grain storage through this proxy, its table created, with a 1 s attempt timeout.</summary>
        public async Task<DynamoDbGrainStorage> StorageAsync()
        {
            var options = new DynamoDbOptions { ServiceUrl = Url, TablePrefix = _prefix, RequestTimeout = TimeSpan.FromSeconds(1) };
            var serializer = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SessionCheckpoint).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();
            var storage = new DynamoDbGrainStorage("sessions", options, DynamoDbClientFactory.Create(options), serializer, NullLogger.Instance);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await storage.InitialiseAsync(timeout.Token);
            return storage;
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public int Withheld => Volatile.Read(ref _withheld);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    var server = new TcpClient();
                    await server.ConnectAsync(_host, _port, _stop.Token);
                    lock (_open) _open.AddRange([client, server]);
                    var withhold = new StrongBox<bool>();
                    _ = PumpAsync(client.GetStream(), server.GetStream(), request: true, withhold);
                    _ = PumpAsync(server.GetStream(), client.GetStream(), request: false, withhold);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        // Request side: the first request naming the target (on whichever connection, first or kept alive) makes this
        // connection's answers from then on withheld. Answer side: forwards, or reads and drops once withheld.
        private async Task PumpAsync(Stream from, Stream to, bool request, StrongBox<bool> withhold)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    var read = await from.ReadAsync(buffer, _stop.Token);
                    if (read == 0) break;
                    if (request && buffer.AsSpan(0, read).IndexOf(_target) >= 0 && Interlocked.CompareExchange(ref _withheld, 1, 0) == 0)
                        Volatile.Write(ref withhold.Value, true);
                    if (!request && Volatile.Read(ref withhold.Value)) continue;
                    await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            lock (_open) foreach (var c in _open) c.Dispose();
            await _accepting;
        }
    }
}
