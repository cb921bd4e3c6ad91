using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Aws.SageMaker;
using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The classifier's serving host (<c>classifier.serving/</c>, a process started as SageMaker starts the image) against
/// SageMaker's container contract, and the gateway's SageMaker backend against it through
/// <see cref="FakeSageMakerRuntime"/> (the runtime API's routing, signature check and error mapping in front of the
/// real container): the same JSON both ways, the embedded model's probabilities bit for bit, refusals with reasons,
/// the model path rules.
/// </summary>
public sealed class SageMakerServingHostTests(ServingHostFixture fixture, ITestOutputHelper output) : IClassFixture<ServingHostFixture>
{
    internal const string AccessKey = "AKIDSERVING";
    internal const string SecretKey = "serving-test-secret/not+real";
    internal const string Region = "eu-west-1";
    internal const string Endpoint = "anc-noise-classifier";

    private static readonly NoiseClassifierModel Embedded = NoiseClassifierModel.LoadShared(NoiseClassifierModel.DefaultPath);

    /// <summary>One window of each of a few noises (deterministic by seed).</summary>
    internal static IReadOnlyList<(string Noise, float[] Features)> Windows() =>
        [.. new[] { "hum", "white_noise", "siren", "traffic", "dog_bark" }.Select((noise, i) =>
            (noise, NoiseFeatures.Extract(NoiseLibrary.Render(noise, 16_000, 2, new NoiseGenerator(100 + i)), 16_000)[0]))];

    [Fact]
    public async Task Ping_answers_200_and_names_the_model_it_serves()
    {
        using var http = new HttpClient();

        using var ping = await http.GetAsync(new Uri(fixture.Host.Url, "/ping"));

        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        using var body = JsonDocument.Parse(await ping.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("embedded", body.RootElement.GetProperty("chosenBy").GetString());
        Assert.EndsWith(Path.Combine("Models", "noise-classifier.zip"), body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Invocations_answer_the_embedded_models_probabilities_bit_for_bit()
    {
        using var http = new HttpClient();
        foreach (var (noise, features) in Windows())
        {
            using var request = Invocation(JsonSerializer.Serialize(new { features }));

            using var answer = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal("application/json", answer.Content.Headers.ContentType?.MediaType);
            var parsed = await answer.Content.ReadFromJsonAsync<SageMakerInvocationResponse>(new JsonSerializerOptions(JsonSerializerDefaults.Web));
            Assert.Equal(Embedded.Labels, parsed!.Labels);
            Assert.Equal(Embedded.Predict(features), parsed.Probabilities);
            output.WriteLine($"{noise}: {Embedded.PredictLabel(features)}");
        }
    }

    [Theory]
    [InlineData("text/csv", null, "1,2,3", 415, "Content-Type must be application/json")]
    [InlineData("application/json", "text/csv", """{"features":[1]}""", 406, "answers application/json only")]
    [InlineData("application/json", null, """{"features":[1,2,3]}""", 400, "expected 229 features, got 3")]
    [InlineData("application/json", null, "not json", 400, "not a JSON object")]
    [InlineData("application/json", null, """{"feature":[1]}""", 400, "\"features\" is missing")]
    [InlineData("application/json", null, """{"features":["1"]}""", 400, "not a JSON object")]
    [InlineData("application/json", null, "big", 413, "Serving:MaxRequestBytes (65536 bytes)")]
    public async Task A_bad_invocation_is_refused_with_its_reason(string contentType, string? accept, string body, int status, string reason)
    {
        using var http = new HttpClient();
        if (body == "big") body = $$"""{"features":[{{string.Join(',', Enumerable.Repeat("0.125", 20_000))}}]}""";
        using var request = Invocation(body, contentType, accept);

        using var answer = await http.SendAsync(request);

        Assert.Equal(status, (int)answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_finite_feature_is_refused()
    {
        using var http = new HttpClient();
        var features = new string[NoiseFeatures.Length];
        Array.Fill(features, "0.5");
        features[7] = "1e39"; // beyond float: read as infinity
        using var request = Invocation($$"""{"features":[{{string.Join(',', features)}}]}""");

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Contains("non-finite", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_SageMaker_backend_classifies_through_the_serving_host()
    {
        await using var runtime = new FakeSageMakerRuntime(fixture.Host.Url, Endpoint, AccessKey, SecretKey, Region);
        using var http = new HttpClient();
        var backend = Backend(http, runtime.Url);
        var windows = Windows();

        foreach (var (_, features) in windows)
        {
            var probabilities = await backend.PredictAsync(features, CancellationToken.None);

            Assert.Equal(Embedded.PredictLabels(features), probabilities);
        }

        Assert.Equal(windows.Count, runtime.Exchanges.Count);
        Assert.All(runtime.Exchanges, exchange =>
        {
            Assert.Equal((200, 200), (exchange.Status, exchange.ContainerStatus));
            Assert.Equal("application/json", exchange.Request.Headers["Content-Type"]);
            Assert.Equal("application/json", exchange.Request.Headers["Accept"]);
        });
    }

    [Fact]
    public async Task A_refused_invocation_reaches_the_backend_as_a_ModelError_and_is_not_retried()
    {
        await using var runtime = new FakeSageMakerRuntime(fixture.Host.Url, Endpoint, AccessKey, SecretKey, Region);
        using var http = new HttpClient();

        var error = await Assert.ThrowsAsync<SageMakerInvocationException>(() => Backend(http, runtime.Url).PredictAsync([1f, 2f, 3f], CancellationToken.None));

        Assert.Equal("http_424", error.ErrorType);
        Assert.Equal("ModelError", error.AwsErrorCode);
        Assert.False(error.IsRetryable);
        var exchange = Assert.Single(runtime.Exchanges);
        Assert.Equal((424, 400), (exchange.Status, exchange.ContainerStatus));
        Assert.Contains("expected 229 features, got 3", exchange.Body, StringComparison.Ordinal); // the container's reason, in OriginalMessage
    }

    [Fact]
    public async Task A_wrongly_signed_call_never_reaches_the_container()
    {
        await using var runtime = new FakeSageMakerRuntime(fixture.Host.Url, Endpoint, AccessKey, SecretKey, Region);
        using var http = new HttpClient();
        var backend = Backend(http, runtime.Url, SageMakerCredentials.Fixed(new BasicAWSCredentials(AccessKey, "another-secret")));

        var error = await Assert.ThrowsAsync<SageMakerInvocationException>(() => backend.PredictAsync(Windows()[0].Features, CancellationToken.None));

        Assert.Equal("http_403", error.ErrorType);
        var exchange = Assert.Single(runtime.Exchanges);
        Assert.Null(exchange.ContainerStatus);
    }

    [Theory]
    [InlineData("ModelDirectory")]
    [InlineData("ModelPath")]
    public async Task The_model_comes_from_the_model_directory_or_the_path_given(string setting)
    {
        var directory = Directory.CreateTempSubdirectory("anc-serving-test-").FullName;
        try
        {
            var model = Path.Combine(directory, setting == "ModelPath" ? "my-model.zip" : "noise-classifier.zip");
            File.Copy(NoiseClassifierModel.DefaultPath, model);
            using var host = ServingHostProcess.Start(output, new Dictionary<string, string?>
            {
                [$"Serving:{setting}"] = setting == "ModelPath" ? model : directory,
            });
            await host.WaitUntilReadyAsync();
            using var http = new HttpClient();

            using var ping = JsonDocument.Parse(await http.GetStringAsync(new Uri(host.Url, "/ping")));

            Assert.Equal($"Serving:{setting}", ping.RootElement.GetProperty("chosenBy").GetString());
            Assert.Equal(model, ping.RootElement.GetProperty("model").GetString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("missing model path", "Serving:ModelPath '/nonexistent/model.zip' does not exist")]
    [InlineData("another zip in the model directory", "holds other-model.zip but no noise-classifier.zip")]
    [InlineData("a model that is not one", "Cannot load the noise classifier")]
    [InlineData("a bad SAGEMAKER_BIND_TO_PORT", "SAGEMAKER_BIND_TO_PORT must be a port between 1 and 65535, not 'eighty'")]
    [InlineData("the train command", "unknown command 'train'")]
    public void A_host_that_cannot_serve_stops_and_says_why(string failure, string reason)
    {
        var directory = Directory.CreateTempSubdirectory("anc-serving-test-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>();
            var environment = new Dictionary<string, string>();
            string[]? arguments = null;
            switch (failure)
            {
                case "missing model path":
                    settings["Serving:ModelPath"] = "/nonexistent/model.zip";
                    break;
                case "another zip in the model directory":
                    File.WriteAllText(Path.Combine(directory, "other-model.zip"), "");
                    settings["Serving:ModelDirectory"] = directory;
                    break;
                case "a model that is not one":
                    File.WriteAllText(Path.Combine(directory, "noise-classifier.zip"), "not a zip");
                    settings["Serving:ModelDirectory"] = directory;
                    break;
                case "a bad SAGEMAKER_BIND_TO_PORT":
                    environment["SAGEMAKER_BIND_TO_PORT"] = "eighty";
                    break;
                default:
                    arguments = ["train"];
                    break;
            }
            using var host = ServingHostProcess.Start(output, settings, environment, arguments);

            Assert.True(host.WaitForExit(TimeSpan.FromSeconds(60)), $"the host kept running:\n{host.Log}");
            Assert.NotEqual(0, host.ExitCode);
            Assert.Contains(reason, host.Log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task SAGEMAKER_BIND_TO_PORT_wins_over_Serving_Port()
    {
        var port = GatewayFixture.FreePort();
        using var host = ServingHostProcess.Start(output, new Dictionary<string, string?> { ["Serving:Port"] = GatewayFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture) },
            new Dictionary<string, string> { ["SAGEMAKER_BIND_TO_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, port: port);

        await host.WaitUntilReadyAsync();

        Assert.Equal(port, host.Port);
    }

    internal static SageMakerClassifierBackend Backend(HttpClient http, string serviceUrl, SageMakerCredentials? credentials = null) =>
        new(http, Options.Create(new SageMakerClassifierOptions
        {
            Backend = "sagemaker",
            EndpointName = Endpoint,
            Region = Region,
            ServiceUrl = serviceUrl,
            TimeoutMs = 10_000, // generous: a loaded CI machine; the timeout path has its own tests
            MaxRetries = 2,
            BackoffMs = 5,
            MaxBackoffMs = 20,
        }), credentials ?? SageMakerCredentials.Fixed(new BasicAWSCredentials(AccessKey, SecretKey)), NullLogger<SageMakerClassifierBackend>.Instance);

    private HttpRequestMessage Invocation(string body, string contentType = "application/json", string? accept = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Host.Url, "/invocations")) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        return request;
    }
}

/// <summary>One serving host for the tests that only talk to it.</summary>
public sealed class ServingHostFixture : IAsyncLifetime
{
    private ServingHostProcess? _host;

    internal ServingHostProcess Host => _host!;

    public async Task InitializeAsync()
    {
        _host = ServingHostProcess.Start(new SilentOutput());
        await _host.WaitUntilReadyAsync();
    }

    public Task DisposeAsync()
    {
        _host?.Dispose();
        return Task.CompletedTask;
    }

    private sealed class SilentOutput : ITestOutputHelper
    {
        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}
