using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Text;

namespace AncOrleans.Tests;

/// <summary>
/// A stand-in for the SageMaker runtime API: a real HTTP listener on a free loopback port that records every
/// request as it arrived on the wire and answers the n-th one (0-based) from a script. Requests are served
/// concurrently, so a reply held back (to provoke a client timeout) does not block the next attempt. The script may
/// also look at the request and answer asynchronously (<see cref="FakeSageMakerRuntime"/> forwards it to a container).
/// </summary>
internal sealed class SageMakerStub : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<int, SageMakerStubRequest, Task<SageMakerStubReply>> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SageMakerStubRequest> _requests = new();
    private readonly Task _loop;
    private int _count;

    public SageMakerStub(Func<int, SageMakerStubReply> script)
        : this((index, _) => Task.FromResult(script(index)))
    {
    }

    public SageMakerStub(Func<int, SageMakerStubRequest, Task<SageMakerStubReply>> script)
    {
        _script = script;
        Port = GatewayFixture.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<SageMakerStubRequest> Requests => [.. _requests];

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        using var body = new MemoryStream();
        await context.Request.InputStream.CopyToAsync(body);
        var index = Interlocked.Increment(ref _count) - 1;
        var request = new SageMakerStubRequest(context.Request.HttpMethod, context.Request.RawUrl ?? "",
            new NameValueCollection(context.Request.Headers), body.ToArray());
        _requests.Enqueue(request);
        try
        {
            var reply = await _script(index, request);
            if (reply.Delay > TimeSpan.Zero)
                await Task.Delay(reply.Delay, _stop.Token);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
                context.Response.Headers[name] = value;
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
        catch (Exception)
        {
            // Stopped while holding the reply back, or the client gave up: drop the connection.
            context.Response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>One answer of <see cref="SageMakerStub"/>, sent after <see cref="Delay"/>.</summary>
internal sealed record SageMakerStubReply(int Status, string Body, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>One request as <see cref="SageMakerStub"/> received it.</summary>
internal sealed record SageMakerStubRequest(string Method, string RawUrl, NameValueCollection Headers, byte[] Body);
