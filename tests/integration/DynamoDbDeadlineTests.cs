using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AncOrleans.Aws.DynamoDb;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Serialization;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// A state read against a server that accepts the connection and never answers (a half-dead endpoint): the read must
/// give up — an activation waits on it, and Orleans gives an activation 30 s — with the SDK's per-attempt timeout and
/// the storage's own deadline (twice <see cref="DynamoDbOptions.RequestTimeout"/> per call, two calls), each logged.
/// </summary>
public sealed class DynamoDbDeadlineTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_read_from_a_server_that_never_answers_gives_up_within_its_deadlines()
    {
        await using var silent = new FakeBrokenAwsEndpoint(answer: null);
        var options = silent.Options("deadline-");
        var log = new ListLogger();
        var storage = new DynamoDbGrainStorage("sessions", options, DynamoDbClientFactory.Create(options), Serializer(), log);

        var clock = Stopwatch.StartNew();
        var state = new GrainState<SessionCheckpoint>(new SessionCheckpoint());
        var error = await Assert.ThrowsAnyAsync<Exception>(() => storage.ReadStateAsync("session", GrainId.Create("session", "silent"), state));
        clock.Stop();
        output.WriteLine($"gave up after {clock.Elapsed.TotalSeconds:0.0} s with {error.GetType().Name}: {error.Message}; connections {silent.Connections}; log: {string.Join(" | ", log.Lines)}");

        // Two calls of at most 2 s each, and the SDK's own attempts inside them; far below Orleans' 30 s.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the read took {clock.Elapsed.TotalSeconds:0.0} s");
        // A timeout, which the frame's re-send (SiloLossRetry.IsStorageTimeout) sends again, not a cancellation.
        Assert.IsType<TimeoutException>(error);
        Assert.Contains(log.Lines, line => line.Contains("session/session/silent", StringComparison.Ordinal) && line.Contains("sending it again", StringComparison.Ordinal));
        Assert.Contains(log.Lines, line => line.Contains("DynamoDB read of session/session/silent took", StringComparison.Ordinal));
    }

    /// <summary>
    /// A server that sends an answer's headers and then never its body: the SDK's own timeout does not cover the body
    /// (a call waited 40+ s with a 1 s timeout), so every call — a state read, write and clear, and the membership
    /// table's read — must still give up within its attempts' deadlines (WholeAnswerHttpClientFactory), as a timeout.
    /// </summary>
    [Fact]
    public async Task Calls_to_a_server_that_stalls_after_the_headers_give_up_as_timeouts()
    {
        await using var stalling = new FakeBrokenAwsEndpoint(
            answer: "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 1000\r\n\r\n{\"Item\":"u8.ToArray());
        var options = stalling.Options("stall-");
        var serializer = Serializer();
        var client = DynamoDbClientFactory.Create(options);
        var storage = new DynamoDbGrainStorage("sessions", options, client, serializer, new ListLogger());
        var membership = new DynamoDbMembershipTable("stall", options, client, serializer);
        var grain = GrainId.Create("session", "stalled");
        var calls = new (string Name, Func<Task> Call)[]
        {
            ("read", () => storage.ReadStateAsync("session", grain, new GrainState<SessionCheckpoint>(new SessionCheckpoint()))),
            ("write", () => storage.WriteStateAsync("session", grain, new GrainState<SessionCheckpoint>(new SessionCheckpoint()))),
            ("clear", () => storage.ClearStateAsync("session", grain, new GrainState<SessionCheckpoint>(new SessionCheckpoint()) { ETag = "e" })),
            ("membership read", () => membership.ReadAll()),
        };
        foreach (var (name, call) in calls)
        {
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAnyAsync<Exception>(call);
            output.WriteLine($"{name}: gave up after {clock.Elapsed.TotalSeconds:0.0} s with {error.GetType().Name}: {error.Message}");
            // The SDK's attempts (1 s each, its retries between them), and for a state read the storage's two calls.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"{name} took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(error is TimeoutException || error.InnerException is TimeoutException, $"{name}: {error}");
        }
    }

    private static Serializer Serializer() =>
        new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(SessionCheckpoint).Assembly)).BuildServiceProvider().GetRequiredService<Serializer>();

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines) Lines.Add(formatter(state, exception));
        }
    }
}
