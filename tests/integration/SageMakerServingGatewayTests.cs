using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Amazon.Runtime;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Aws.SageMaker;
using AncOrleans.Dsp.Classification;
using AncOrleans.Device;
using AncOrleans.Gateway;
using AncOrleans.Grains.Classification;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The gateway with <c>Classifier:Backend=sagemaker</c>, signing on, <c>Classifier:ServiceUrl</c> on a local
/// <see cref="FakeSageMakerRuntime"/> in front of the real serving host, names a session's noise exactly as a gateway
/// with the embedded backend does: the same scenario's frames over the WebSocket to each, the same classification
/// events, the same final label, and not one window answered by the fallback.
/// </summary>
public sealed class SageMakerServingGatewayTests(ITestOutputHelper output)
{
    private const int Rate = 16_000, FrameSamples = 160;
    private const double Seconds = 10;

    [Fact]
    public async Task The_gateway_with_the_SageMaker_backend_names_a_sessions_noise_as_the_embedded_one_does()
    {
        const string scenario = "hum";
        using var host = ServingHostProcess.Start(output);
        await host.WaitUntilReadyAsync();
        await using var runtime = new FakeSageMakerRuntime(host.Url, SageMakerServingHostTests.Endpoint, SageMakerServingHostTests.AccessKey,
            SageMakerServingHostTests.SecretKey, SageMakerServingHostTests.Region);
        var scene = Scenarios.Create(scenario, Rate, Seconds, delayMs: 20, seed: 3);

        var embedded = await RunSessionAsync(scene, serviceUrl: null);
        var sagemaker = await RunSessionAsync(scene, runtime.Url);

        output.WriteLine($"embedded: {embedded}\nsagemaker: {sagemaker}\nruntime: {runtime.Exchanges.Count} invocations");
        Assert.NotNull(embedded.Label);
        Assert.Equal(embedded.Label, sagemaker.Label);
        Assert.NotEmpty(embedded.Events);
        // Since issue 12 the embedded model blends a CNN on the log-mel patch, which the SageMaker protocol does not
        // carry: the container answers with the features-only half (docs/classifier.md, Backends), so confidences and
        // intermediate verdicts differ. The session must still end on the same label and apply the same profiles in the
        // same order, each within one classifier window (≈ 1 s) of the other (measured 2026-11-29 with the second
        // round's model: both apply tonal at 4.9 s; with the third round's the blend applies it at 5.9 s, the
        // container at 4.9 s — the CNN half takes one window longer to be sure).
        static IEnumerable<(string Profile, double Seconds)> Applied(SessionOutcome outcome) =>
            outcome.Events.Where(e => e.ApplyProfile).Select(e => (e.Profile, Math.Round(e.AudioSeconds, 1)));
        Assert.Equal(Applied(embedded).Select(a => a.Profile), Applied(sagemaker).Select(a => a.Profile));
        Assert.All(Applied(embedded).Zip(Applied(sagemaker)), pair => Assert.InRange(Math.Abs(pair.First.Seconds - pair.Second.Seconds), 0, 1.05));
        Assert.All(embedded.Backends, backend => Assert.Equal("embedded", backend));
        Assert.All(sagemaker.Backends, backend => Assert.Equal("sagemaker", backend));
        Assert.Equal(0, sagemaker.Fallbacks);
        // Every window of the session (and of the gateway's warm-up) went through the runtime to the container and back.
        Assert.InRange(runtime.Exchanges.Count, (int)Seconds - 1, int.MaxValue);
        Assert.All(runtime.Exchanges, exchange => Assert.Equal((200, 200), (exchange.Status, exchange.ContainerStatus)));
    }

    /// <summary>What one gateway made of the scene: its classification events (without the backend's name), the final label.</summary>
    private sealed record SessionOutcome(string? Label, IReadOnlyList<(string Label, float Confidence, string Profile, bool ApplyProfile, double AudioSeconds)> Events,
        IReadOnlyList<string> Backends, long Fallbacks)
    {
        public override string ToString() =>
            $"label {Label}; {Events.Count} events: {string.Join(", ", Events.Select(e => $"{e.AudioSeconds:0.0} s {e.Label} {e.Confidence:0.000} → {e.Profile}"))}; fallbacks {Fallbacks}";
    }

    /// <summary>A gateway of its own (embedded backend, or SageMaker at <paramref name="serviceUrl"/>); one device streams the scene.</summary>
    private async Task<SessionOutcome> RunSessionAsync(AcousticScene scene, string? serviceUrl)
    {
        var adminKey = $"serving-admin-{Guid.NewGuid():N}";
        string[] arguments =
        [
            "--urls", "http://127.0.0.1:0",
            $"--Orleans:SiloPort={GatewayFixture.FreePort()}", $"--Orleans:GatewayPort={GatewayFixture.FreePort()}", $"--Orleans:ClusterId=serving-{Guid.NewGuid():N}",
            "--Mqtt:Enabled=false", "--Auth:KeyHashIterations=1000", $"--Auth:AdminKey={adminKey}", "--Logging:LogLevel:Default=Warning",
            // Frames go at 2× real time, each awaited: generous limits so a loaded machine drops none.
            "--Gateway:MaxRealTimeFactor=8", "--Gateway:FrameDeadlineMs=1000",
            // A slow window must still be classified by the backend under test, not skipped or answered by the fallback.
            "--Classifier:PredictTimeoutMs=30000",
            .. serviceUrl is null ? Array.Empty<string>() :
            [
                "--Classifier:Backend=sagemaker", $"--Classifier:EndpointName={SageMakerServingHostTests.Endpoint}",
                $"--Classifier:Region={SageMakerServingHostTests.Region}", $"--Classifier:ServiceUrl={serviceUrl}", "--Classifier:TimeoutMs=10000",
            ],
        ];
        var builder = WebApplication.CreateBuilder(arguments);
        builder.Services.AddSingleton(SageMakerCredentials.Fixed(new BasicAWSCredentials(SageMakerServingHostTests.AccessKey, SageMakerServingHostTests.SecretKey)));
        var log = new WarningLog();
        builder.Logging.AddProvider(log);
        builder.AddAncGateway();
        await using var app = builder.Build();
        app.MapAncGateway();
        // Not waiting for the gateway's warm-up (up to 20 s of JIT settling per gateway): the deadlines above are generous.
        // One prediction first, so the backend's first call (signer, connection) is not paid inside the session: a call
        // that takes over 1 s of audio would overflow the session's feature queue and change what the classifier sees.
        await app.StartAsync();
        await app.Services.GetRequiredService<INoiseClassifierBackend>().PredictAsync(new float[NoiseFeatures.Length], CancellationToken.None);
        var fallbacks = 0L;
        using var listener = CountFallbacks(app.Services.GetService<ClassifierFallbackMetrics>(), value => Interlocked.Add(ref fallbacks, value));
        var baseUrl = new Uri(app.Urls.First());

        const string deviceId = "serving-device";
        string key;
        using (var provisioning = new DeviceProvisioning(baseUrl, adminKey))
            key = await provisioning.CreateAsync(deviceId);
        var events = new List<NoiseClassification>();
        await using (var device = await DeviceTestClient.ConnectAsync(baseUrl, deviceId, key))
        {
            await device.SendTextAsync(JsonSerializer.Serialize(new ControlMessage
            {
                Type = "start", SampleRate = Rate, FrameSamples = FrameSamples, Format = "float32", Mode = "antinoise", Algorithm = "hybrid", DelayMs = 20,
            }));
            await device.NextTextAsync("started");
            var clock = Stopwatch.StartNew();
            var due = TimeSpan.Zero;
            for (var n = 0; n + FrameSamples <= scene.Length; n += FrameSamples)
            {
                var sequence = n / FrameSamples;
                // 2× real time from the previous send, never catching up: after a slow reply (a cold gateway) a catch-up
                // burst ran past the gateway's 8× rate limit and the frame was refused.
                if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
                due = clock.Elapsed + TimeSpan.FromMilliseconds(10 / 2.0);
                var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(n, FrameSamples), scene.Disturbance.AsSpan(n, FrameSamples), SampleFormat.Float32);
                await device.SendBinaryAsync(new WireFrame(WireFrame.Audio, SampleFormat.Float32, 2, (uint)sequence, sequence * 10_000L, FrameSamples, Rate, pcm).ToBytes());
                while (true)
                {
                    var (frame, text) = await device.ReceiveAsync(TimeSpan.FromSeconds(30));
                    if (frame is not null) break;
                    Assert.False(text?.Type == "error", $"frame {sequence} refused: {text?.Reason}");
                    if (text?.Classification is { } classification) events.Add(classification);
                }
            }
        }

        // The classifier runs off the reply path: wait until it has seen the whole scene and its label holds.
        var session = app.Services.GetRequiredService<IGrainFactory>().GetGrain<ISessionGrain>(deviceId);
        var label = await SettledLabelAsync(session);
        // Events are carried by replies, so one decided in the last second may not have reached the device: compare the rest.
        var settled = events.Where(e => e.AudioSeconds <= Seconds - 2).ToList();
        // Batches lost while the scene ran (read before the stop: a session deactivated by the stop flushes its last,
        // partial batch — since batches are staggered there usually is one — to a silo that is going away).
        var lost = log.Warnings.Where(w => w.Contains(deviceId, StringComparison.Ordinal) && w.Contains("features not sent", StringComparison.Ordinal)).ToArray();
        await app.StopAsync();
        Assert.True(lost.Length == 0, $"the session lost feature batches, so the classifier did not see the whole scene: {string.Join(" | ", lost)}");
        return new SessionOutcome(label, [.. settled.Select(e => (e.Label, e.Confidence, e.Profile, e.ApplyProfile, e.AudioSeconds))],
            [.. events.Select(e => e.Backend)], Interlocked.Read(ref fallbacks));
    }

    private static async Task<string?> SettledLabelAsync(ISessionGrain session)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? last = null;
        var stableSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            var label = (await session.GetStatsAsync()).NoiseLabel;
            if (label != last) (last, stableSince) = (label, DateTime.UtcNow);
            else if (label is not null && DateTime.UtcNow - stableSince > TimeSpan.FromSeconds(2)) return label;
            await Task.Delay(100);
        }
        return last;
    }

    /// <summary>The gateway's warnings, to tell a lost feature batch from a differing classifier.</summary>
    private sealed class WarningLog : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _warnings = new();

        public IReadOnlyList<string> Warnings => [.. _warnings];

        public ILogger CreateLogger(string categoryName) => new Logger(_warnings);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) warnings.Enqueue(formatter(state, exception));
            }
        }
    }

    private static MeterListener CountFallbacks(ClassifierFallbackMetrics? metrics, Action<long> add)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (metrics is not null && ReferenceEquals(instrument, metrics.Fallbacks))
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => add(value));
        listener.Start();
        return listener;
    }
}
