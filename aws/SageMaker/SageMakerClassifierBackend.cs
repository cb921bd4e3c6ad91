using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using AncOrleans.Grains.Classification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Classifies through a SageMaker real-time endpoint: <c>POST {ServiceUrl}/endpoints/{EndpointName}/invocations</c>
/// (the runtime API's InvokeEndpoint) with <c>{"features":[…]}</c>, answered by
/// <c>{"labels":[…],"probabilities":[…]}</c>. Each attempt is signed afresh with SigV4 (service <c>sagemaker</c>) by
/// the SDK's standalone signer <see cref="AWSSigV4Signer"/>, has its own <c>TimeoutMs</c>, and is retried with
/// backoff per <see cref="SageMakerRetryPolicy"/>. Throws <see cref="SageMakerInvocationException"/> when every
/// attempt failed; <see cref="FallbackClassifierBackend"/> then answers from the embedded model.
/// </summary>
public sealed class SageMakerClassifierBackend : INoiseClassifierBackend
{
    public const string SigningService = "sagemaker";
    private const string Json = "application/json";
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly SageMakerClassifierOptions _options;
    private readonly SageMakerCredentials _credentials;
    private readonly ILogger<SageMakerClassifierBackend> _logger;
    private readonly Uri _uri;
    private readonly RegionEndpoint _region;
    private readonly SageMakerRetryPolicy _retry;

    public SageMakerClassifierBackend(HttpClient http, IOptions<SageMakerClassifierOptions> options, SageMakerCredentials credentials,
        ILogger<SageMakerClassifierBackend> logger)
    {
        _http = http;
        _options = options.Value;
        _credentials = credentials;
        _logger = logger;
        _uri = _options.InvocationUri();
        _region = RegionEndpoint.GetBySystemName(_options.Region);
        _retry = new SageMakerRetryPolicy(_options);
    }

    public string Name => SageMakerClassifierOptions.SageMakerBackend;

    public async Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(features);
        var body = JsonSerializer.SerializeToUtf8Bytes(new SageMakerInvocationRequest(features), JsonOptions);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await InvokeOnceAsync(body, cancellationToken);
            }
            catch (SageMakerInvocationException e) when (e.IsRetryable && attempt < _options.MaxRetries)
            {
                var delay = _retry.Delay(attempt);
                _logger.LogDebug(e, "SageMaker endpoint {Endpoint} attempt {Attempt} failed ({ErrorType}); retrying in {DelayMs:0} ms",
                    _options.EndpointName, attempt + 1, e.ErrorType, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyDictionary<string, float>> InvokeOnceAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.TimeoutMs);
        try
        {
            using var request = await CreateSignedRequestAsync(body, timeout.Token);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var content = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (response.IsSuccessStatusCode)
                return Parse(content);
            var code = AwsErrorCode(response, content);
            throw new SageMakerInvocationException($"http_{(int)response.StatusCode}", SageMakerRetryPolicy.IsRetryable(response.StatusCode, code),
                $"SageMaker endpoint {_options.EndpointName} answered {(int)response.StatusCode} {code}: {Snippet(content)}",
                statusCode: response.StatusCode, awsErrorCode: code);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SageMakerInvocationException("timeout", true, $"SageMaker endpoint {_options.EndpointName} did not answer within {_options.TimeoutMs} ms", e);
        }
        catch (HttpRequestException e)
        {
            throw new SageMakerInvocationException("connection", true, $"SageMaker endpoint {_options.EndpointName} unreachable: {e.Message}", e);
        }
        catch (AmazonClientException e)
        {
            throw new SageMakerInvocationException("credentials", false, $"No AWS credentials to sign the SageMaker call: {e.Message}", e);
        }
    }

    private async Task<HttpRequestMessage> CreateSignedRequestAsync(byte[] body, CancellationToken cancellationToken)
    {
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = _uri, Content = body };
        signing.Headers["Content-Type"] = Json;
        signing.Headers["Accept"] = Json;
        var parameters = new AWSSigV4Parameters { Credentials = await _credentials.ResolveAsync(), Region = _region, Service = SigningService };
        var signed = await AWSSigV4Signer.SignAsync(signing, parameters, cancellationToken);

        var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(Json);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Json));
        // Authorization, X-Amz-Date, X-Amz-Content-SHA256 and, with session credentials, X-Amz-Security-Token.
        foreach (var (name, value) in signed.Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private IReadOnlyDictionary<string, float> Parse(byte[] content)
    {
        SageMakerInvocationResponse? answer;
        try
        {
            answer = JsonSerializer.Deserialize<SageMakerInvocationResponse>(content, JsonOptions);
        }
        catch (JsonException e)
        {
            throw BadResponse($"not JSON ({e.Message})", content, e);
        }
        if (answer is not { Labels: { Length: > 0 } labels, Probabilities: { } probabilities } || labels.Length != probabilities.Length)
            throw BadResponse("expected non-empty \"labels\" and \"probabilities\" of equal length", content);
        var result = new Dictionary<string, float>(labels.Length, StringComparer.Ordinal);
        for (var i = 0; i < labels.Length; i++)
        {
            if (string.IsNullOrEmpty(labels[i]) || !float.IsFinite(probabilities[i]) || !result.TryAdd(labels[i], probabilities[i]))
                throw BadResponse($"label {i} is empty or repeated, or its probability is not finite", content);
        }
        return result;
    }

    private SageMakerInvocationException BadResponse(string why, byte[] content, Exception? inner = null) =>
        new("bad_response", false, $"SageMaker endpoint {_options.EndpointName} answered 2xx but {why}: {Snippet(content)}", inner);

    /// <summary>
    /// The AWS error code of a failed answer, as restJson1 carries it: the <c>X-Amzn-ErrorType</c> header, else the
    /// body's <c>code</c> or <c>__type</c>, stripped of a <c>namespace#</c> prefix and a <c>:uri</c> suffix.
    /// </summary>
    private static string? AwsErrorCode(HttpResponseMessage response, byte[] content)
    {
        var raw = response.Headers.TryGetValues("X-Amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        if (raw is null)
        {
            try
            {
                using var document = JsonDocument.Parse(content);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                    raw = (document.RootElement.TryGetProperty("code", out var code) ? code : document.RootElement.TryGetProperty("__type", out var type) ? type : default)
                        is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
            }
            catch (JsonException)
            {
                // Not JSON: no error code.
            }
        }
        if (string.IsNullOrWhiteSpace(raw))
            return null;
        raw = raw[(raw.IndexOf('#') + 1)..];
        var colon = raw.IndexOf(':');
        return (colon >= 0 ? raw[..colon] : raw).Trim();
    }

    private static string Snippet(byte[] content) =>
        content.Length <= 200 ? Encoding.UTF8.GetString(content) : Encoding.UTF8.GetString(content, 0, 200) + "…";
}
