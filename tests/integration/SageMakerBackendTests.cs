using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using AncOrleans.Grains.Classification;
using AncOrleans.Aws.SageMaker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Tests;

/// <summary>
/// The SageMaker classifier backend against a real HTTP listener standing in for the runtime API: the wire
/// contract (path, headers, body, SigV4 signature recomputed independently), retries, and the fallback to the
/// embedded backend.
/// </summary>
public sealed class SageMakerBackendTests
{
    private const string AccessKey = "AKID";
    private const string SecretKey = "test-secret-key/not+real";
    private const string Region = "eu-west-1";
    private const string Endpoint = "anc-noise-classifier";
    private const string Canned = """{"labels":["traffic","siren","speech"],"probabilities":[0.7,0.2,0.1]}""";

    private static readonly float[] Features = [0.25f, -1.5f, 3f, 1e-3f];

    [Fact]
    public void The_signature_verifier_reproduces_the_published_AWS_example()
    {
        // AWS's SigV4 walk-through: IAM ListUsers, 2015-08-30 12:36:00 UTC, us-east-1, the documentation's example key.
        var canonical = SigV4Verifier.CanonicalRequest("GET", "/", "Action=ListUsers&Version=2010-05-08",
            [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Host", "iam.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
            SigV4Verifier.Sha256Hex([]));
        const string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

        Assert.Equal("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", SigV4Verifier.Sha256Hex(Encoding.UTF8.GetBytes(canonical)));
        Assert.Equal("c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
            Convert.ToHexStringLower(SigV4Verifier.SigningKey(secret, "20150830", "us-east-1", "iam")));
        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
            SigV4Verifier.Signature(secret, "20150830T123600Z", "us-east-1", "iam", canonical));
    }

    [Fact]
    public async Task A_prediction_is_a_signed_invocation_and_its_answer_is_parsed()
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(200, Canned));
        using var http = new HttpClient();

        var probabilities = await Backend(http, stub).PredictAsync(Features, CancellationToken.None);

        Assert.Equal(new Dictionary<string, float> { ["traffic"] = 0.7f, ["siren"] = 0.2f, ["speech"] = 0.1f }, probabilities);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/endpoints/{Endpoint}/invocations", request.RawUrl);
        Assert.Equal("application/json", request.Headers["Content-Type"]);
        Assert.Equal($"127.0.0.1:{stub.Port}", request.Headers["Host"]);
        using (var body = JsonDocument.Parse(request.Body))
        {
            Assert.Equal("features", Assert.Single(body.RootElement.EnumerateObject()).Name);
            Assert.Equal(Features, body.RootElement.GetProperty("features").EnumerateArray().Select(e => e.GetSingle()));
        }
        AssertSigned(request, SecretKey);
    }

    [Fact]
    public async Task Session_credentials_sign_and_send_the_security_token()
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(200, Canned));
        using var http = new HttpClient();
        var credentials = SageMakerCredentials.Fixed(new SessionAWSCredentials(AccessKey, SecretKey, "session-token"));

        await Backend(http, stub, credentials: credentials).PredictAsync(Features, CancellationToken.None);

        var request = Assert.Single(stub.Requests);
        Assert.Equal("session-token", request.Headers["X-Amz-Security-Token"]);
        Assert.Contains("x-amz-security-token", AssertSigned(request, SecretKey).SignedHeaders);
    }

    [Fact]
    public async Task Two_500s_then_a_200_succeed_after_retries()
    {
        await using var stub = new SageMakerStub(n => n < 2 ? new SageMakerStubReply(500, """{"message":"boom"}""") : new SageMakerStubReply(200, Canned));
        using var http = new HttpClient();

        var probabilities = await Backend(http, stub, maxRetries: 2).PredictAsync(Features, CancellationToken.None);

        Assert.Equal(0.7f, probabilities["traffic"]);
        Assert.Equal(3, stub.Requests.Count);
        Assert.All(stub.Requests, request => AssertSigned(request, SecretKey));
    }

    [Theory]
    [InlineData(429, null)]
    [InlineData(503, null)]
    [InlineData(400, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/")]
    public async Task Throttling_and_server_errors_are_retried(int status, string? errorType)
    {
        var headers = errorType is null ? null : new Dictionary<string, string> { ["X-Amzn-ErrorType"] = errorType };
        await using var stub = new SageMakerStub(n => n == 0 ? new SageMakerStubReply(status, """{"message":"slow down"}""", Headers: headers) : new SageMakerStubReply(200, Canned));
        using var http = new HttpClient();

        await Backend(http, stub, maxRetries: 1).PredictAsync(Features, CancellationToken.None);

        Assert.Equal(2, stub.Requests.Count);
    }

    [Theory]
    [InlineData(400, """{"ErrorCode":"ValidationError","message":"bad features"}""")]
    [InlineData(424, """{"code":"ModelError","message":"model crashed"}""")]
    [InlineData(403, """{"__type":"com.amazon.coral.service#InvalidSignatureException","message":"no"}""")]
    public async Task Other_client_errors_are_not_retried(int status, string body)
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(status, body));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<SageMakerInvocationException>(() => Backend(http, stub, maxRetries: 2).PredictAsync(Features, CancellationToken.None));

        Assert.Single(stub.Requests);
        Assert.Equal($"http_{status}", error.ErrorType);
        Assert.False(error.IsRetryable);
    }

    [Theory]
    [InlineData("""{"labels":["a","b"],"probabilities":[1.0]}""")]
    [InlineData("""{"label":"a"}""")]
    [InlineData("not json")]
    public async Task A_malformed_answer_is_a_bad_response(string body)
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(200, body));
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<SageMakerInvocationException>(() => Backend(http, stub).PredictAsync(Features, CancellationToken.None));

        Assert.Equal("bad_response", error.ErrorType);
        Assert.Single(stub.Requests);
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("http_503")]
    public async Task When_every_attempt_fails_the_embedded_backend_answers(string failure)
    {
        var reply = failure == "timeout"
            ? new SageMakerStubReply(200, Canned, Delay: TimeSpan.FromSeconds(30))
            : new SageMakerStubReply(503, """{"message":"unavailable"}""");
        await using var stub = new SageMakerStub(_ => reply);
        using var http = new HttpClient();
        var metrics = new ClassifierFallbackMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var counted = new List<(long Value, Dictionary<string, object?> Tags)>();
        using var listener = CountFallbacks(metrics, counted);
        var logger = new CapturingLogger<FallbackClassifierBackend>();
        var embedded = new FakeEmbeddedBackend();
        // A 503 must be retried whatever the machine's load: only the timeout case depends on the budget (a cold
        // connection on a loaded CI machine once took longer than 150 ms for the first 503, and the retry never came).
        // The held-back reply (30 s) times out whatever the budget, so the budget is 1 s, not 150 ms: with 150 ms, a
        // machine loaded by a concurrent `dotnet build` (the serving host's and silo's tests start one) let the retry's
        // request reach the stub only after its own budget had gone, and the stub saw one request instead of two.
        var backend = new FallbackClassifierBackend(Backend(http, stub, maxRetries: 1, timeoutMs: failure == "timeout" ? 1000 : 5000), embedded, metrics, logger);

        var probabilities = await backend.PredictAsync(Features, CancellationToken.None);

        Assert.Same(FakeEmbeddedBackend.Answer, probabilities);
        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal(1, embedded.Calls);
        var (value, tags) = Assert.Single(counted);
        Assert.Equal(1, value);
        Assert.Equal("sagemaker", tags["primary"]);
        Assert.Equal("embedded", tags["fallback"]);
        Assert.Equal(failure, tags["error.type"]);
        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("sagemaker", StringComparison.Ordinal));
    }

    [Fact]
    public async Task When_SageMaker_is_down_the_real_embedded_model_names_the_noise()
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(503, """{"message":"unavailable"}"""));
        using var http = new HttpClient();
        var metrics = new ClassifierFallbackMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var embedded = new AncOrleans.Grains.Classification.EmbeddedClassifierBackend(Options.Create(new AncOrleans.Grains.Classification.ClassifierOptions()));
        var backend = new FallbackClassifierBackend(Backend(http, stub, maxRetries: 1, timeoutMs: 5000), embedded, metrics,
            new CapturingLogger<FallbackClassifierBackend>());
        var hum = AncOrleans.Acoustics.Scenes.NoiseLibrary.Render("hum", 16_000, 2, new AncOrleans.Acoustics.Scenes.NoiseGenerator(5));
        var window = AncOrleans.Dsp.Classification.NoiseFeatures.Extract(hum, 16_000)[0];

        var probabilities = await backend.PredictAsync(window, CancellationToken.None);

        Assert.Equal(2, stub.Requests.Count);
        Assert.Equal("hum", probabilities.MaxBy(p => p.Value).Key);
        Assert.Equal(AncOrleans.Dsp.Classification.NoiseTaxonomy.Labels.Count, probabilities.Count);
    }

    [Fact]
    public async Task During_an_outage_the_fallback_warns_once_per_interval()
    {
        var metrics = new ClassifierFallbackMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var logger = new CapturingLogger<FallbackClassifierBackend>();
        var backend = new FallbackClassifierBackend(new FailingBackend(), new FakeEmbeddedBackend(), metrics, logger);

        for (var i = 0; i < 5; i++)
            Assert.Same(FakeEmbeddedBackend.Answer, await backend.PredictAsync(Features, CancellationToken.None));

        Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal(4, logger.Entries.Count(e => e.Level == LogLevel.Debug));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_answered_from_the_fallback()
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(200, Canned, Delay: TimeSpan.FromSeconds(30)));
        using var http = new HttpClient();
        var metrics = new ClassifierFallbackMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var embedded = new FakeEmbeddedBackend();
        var backend = new FallbackClassifierBackend(Backend(http, stub, timeoutMs: 10_000), embedded, metrics, NullLogger<FallbackClassifierBackend>.Instance);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backend.PredictAsync(Features, cancel.Token));

        Assert.Equal(0, embedded.Calls);
    }

    [Fact]
    public async Task Backend_sagemaker_registers_SageMaker_with_the_keyed_embedded_fallback()
    {
        await using var stub = new SageMakerStub(_ => new SageMakerStubReply(200, Canned));
        using var provider = Services(new()
        {
            ["Classifier:Backend"] = "sagemaker",
            ["Classifier:EndpointName"] = Endpoint,
            ["Classifier:Region"] = Region,
            ["Classifier:ServiceUrl"] = stub.Url,
            ["Classifier:TimeoutMs"] = "5000",
        });

        var backend = Assert.IsType<FallbackClassifierBackend>(provider.GetRequiredService<INoiseClassifierBackend>());
        var probabilities = await backend.PredictAsync(Features, CancellationToken.None);

        Assert.IsType<SageMakerClassifierBackend>(backend.Primary);
        Assert.IsType<FakeEmbeddedBackend>(backend.Fallback);
        Assert.Same(backend.Primary, provider.GetRequiredKeyedService<INoiseClassifierBackend>("sagemaker"));
        Assert.Equal(0.7f, probabilities["traffic"]);
        AssertSigned(Assert.Single(stub.Requests), SecretKey);
    }

    [Fact]
    public void By_default_the_keyed_embedded_backend_is_the_backend()
    {
        using var provider = Services([]);

        Assert.Same(provider.GetRequiredKeyedService<INoiseClassifierBackend>("embedded"), provider.GetRequiredService<INoiseClassifierBackend>());
    }

    [Fact]
    public void SageMaker_settings_are_checked_and_errors_name_the_key()
    {
        using var provider = Services(new() { ["Classifier:Backend"] = "sagemaker", ["Classifier:Region"] = Region, ["Classifier:TimeoutMs"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<INoiseClassifierBackend>());

        Assert.Contains("Classifier:EndpointName", error.Message);
        Assert.Contains("Classifier:TimeoutMs", error.Message);
        var unknown = Assert.Throws<InvalidOperationException>(() => Services(new() { ["Classifier:Backend"] = "sagemkaer" }));
        Assert.Contains("Classifier:Backend", unknown.Message);
    }

    [Fact]
    public void The_default_service_url_is_the_regional_SageMaker_runtime()
    {
        var options = new SageMakerClassifierOptions { EndpointName = Endpoint, Region = Region };

        Assert.Equal(new Uri($"https://runtime.sagemaker.eu-west-1.amazonaws.com/endpoints/{Endpoint}/invocations"), options.InvocationUri());
    }

    private static SageMakerClassifierBackend Backend(HttpClient http, SageMakerStub stub, int maxRetries = 2, int timeoutMs = 5000,
        SageMakerCredentials? credentials = null) =>
        new(http, Options.Create(new SageMakerClassifierOptions
        {
            Backend = "sagemaker",
            EndpointName = Endpoint,
            Region = Region,
            ServiceUrl = stub.Url,
            TimeoutMs = timeoutMs,
            MaxRetries = maxRetries,
            BackoffMs = 5,
            MaxBackoffMs = 20,
        }), credentials ?? SageMakerCredentials.Fixed(new BasicAWSCredentials(AccessKey, SecretKey)), NullLogger<SageMakerClassifierBackend>.Instance);

    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(SageMakerCredentials.Fixed(new BasicAWSCredentials(AccessKey, SecretKey)));
        services.AddKeyedSingleton<INoiseClassifierBackend, FakeEmbeddedBackend>("embedded");
        services.AddAncClassifierBackend(configuration);
        return services.BuildServiceProvider();
    }

    /// <summary>Checks the SigV4 headers' shape and recomputes the signature from the request as received.</summary>
    private static SigV4Authorization AssertSigned(SageMakerStubRequest request, string secretKey)
    {
        var amzDate = request.Headers["X-Amz-Date"];
        Assert.NotNull(amzDate);
        var signedAt = DateTime.ParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(signedAt, DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(5));
        var authorization = SigV4Verifier.ParseAuthorization(request.Headers["Authorization"]);
        Assert.True(authorization is not null, $"Authorization header has not the SigV4 shape: {request.Headers["Authorization"]}");
        Assert.Equal(AccessKey, authorization.AccessKey);
        Assert.Equal(amzDate[..8], authorization.Date);
        Assert.Equal(Region, authorization.Region);
        Assert.Equal("sagemaker", authorization.Service);
        Assert.Subset(authorization.SignedHeaders.ToHashSet(), new HashSet<string> { "content-type", "host", "x-amz-date" });
        var payloadHash = SigV4Verifier.Sha256Hex(request.Body);
        if (request.Headers["X-Amz-Content-Sha256"] is { } contentSha256)
            Assert.Equal(payloadHash, contentSha256);

        var canonical = SigV4Verifier.CanonicalRequest(request.Method, request.RawUrl, "",
            authorization.SignedHeaders.Select(name => (name, request.Headers[name] ?? throw new Xunit.Sdk.XunitException($"signed header {name} not sent"))),
            payloadHash);
        Assert.Equal(SigV4Verifier.Signature(secretKey, amzDate, Region, "sagemaker", canonical), authorization.Signature);
        return authorization;
    }

    private static MeterListener CountFallbacks(ClassifierFallbackMetrics metrics, List<(long, Dictionary<string, object?>)> counted)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument, metrics.Fallbacks))
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (counted)
                counted.Add((value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
        });
        listener.Start();
        return listener;
    }

    private sealed class FailingBackend : INoiseClassifierBackend
    {
        public string Name => "sagemaker";

        public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyDictionary<string, float>>(new SageMakerInvocationException("http_503", true, "unavailable", statusCode: HttpStatusCode.ServiceUnavailable));
    }
}
