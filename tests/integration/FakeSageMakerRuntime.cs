using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AncOrleans.Tests;

/// <summary>
/// Stands in for the SageMaker runtime API (which cannot run here) in front of a real model container, doing what the
/// service does with an InvokeEndpoint call: it routes <c>POST /endpoints/{name}/invocations</c> (another name: 400
/// <c>ValidationError</c>), checks the SigV4 signature (<see cref="SigV4Verifier.Problem"/>; a bad one: 403
/// <c>InvalidSignatureException</c>), passes the body, <c>Content-Type</c> and <c>Accept</c> unchanged to the
/// container's <c>POST /invocations</c>, and returns a 2xx answer unchanged, any other as 424 <c>ModelError</c> with the
/// container's status and message (<c>OriginalStatusCode</c>, <c>OriginalMessage</c>). Every exchange is recorded.
/// </summary>
internal sealed partial class FakeSageMakerRuntime : IAsyncDisposable
{
    private readonly Uri _container;
    private readonly string _endpointName, _accessKey, _secretKey, _region;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) }; // SageMaker waits 60 s for /invocations
    private readonly ConcurrentQueue<RuntimeExchange> _exchanges = new();
    private readonly SageMakerStub _listener;

    public FakeSageMakerRuntime(Uri container, string endpointName, string accessKey, string secretKey, string region)
    {
        _container = container;
        _endpointName = endpointName;
        _accessKey = accessKey;
        _secretKey = secretKey;
        _region = region;
        _listener = new SageMakerStub((_, request) => InvokeAsync(request));
    }

    /// <summary>The base URL to give the backend as <c>Classifier:ServiceUrl</c>.</summary>
    public string Url => _listener.Url;

    public IReadOnlyList<RuntimeExchange> Exchanges => [.. _exchanges];

    private async Task<SageMakerStubReply> InvokeAsync(SageMakerStubRequest request)
    {
        var reply = await AnswerAsync(request);
        _exchanges.Enqueue(new RuntimeExchange(request, reply.Reply.Status, reply.ContainerStatus, reply.Reply.Body));
        return reply.Reply;
    }

    private async Task<(SageMakerStubReply Reply, int? ContainerStatus)> AnswerAsync(SageMakerStubRequest request)
    {
        var route = InvocationsPath().Match(request.RawUrl);
        if (request.Method != "POST" || !route.Success)
            return (Error(404, "UnknownOperationException", $"{request.Method} {request.RawUrl} is not an operation of the SageMaker runtime"), null);
        if (Uri.UnescapeDataString(route.Groups["name"].Value) != _endpointName)
            return (Error(400, "ValidationError", $"Endpoint {Uri.UnescapeDataString(route.Groups["name"].Value)} of account 000000000000 not found."), null);
        if (SigV4Verifier.Problem(request, _accessKey, _secretKey, _region, "sagemaker") is { } problem)
            return (Error(403, "InvalidSignatureException", problem), null);

        using var forward = new HttpRequestMessage(HttpMethod.Post, new Uri(_container, "/invocations")) { Content = new ByteArrayContent(request.Body) };
        if (request.Headers["Content-Type"] is { } contentType)
            forward.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (request.Headers["Accept"] is { } accept)
            forward.Headers.TryAddWithoutValidation("Accept", accept);
        using var answer = await _http.SendAsync(forward);
        var body = await answer.Content.ReadAsStringAsync();
        var status = (int)answer.StatusCode;
        if (answer.IsSuccessStatusCode)
            return (new SageMakerStubReply(status, body), status);
        var kind = status >= 500 ? "server" : "client";
        return (Error(424, "ModelError", $"Received {kind} error ({status}) from primary with message \"{body}\".",
            new Dictionary<string, object> { ["OriginalStatusCode"] = status, ["OriginalMessage"] = body }), status);
    }

    private static SageMakerStubReply Error(int status, string code, string message, Dictionary<string, object>? more = null)
    {
        var body = new Dictionary<string, object> { ["ErrorCode"] = code, ["message"] = message };
        foreach (var (key, value) in more ?? []) body[key] = value;
        return new SageMakerStubReply(status, JsonSerializer.Serialize(body), Headers: new Dictionary<string, string> { ["X-Amzn-ErrorType"] = code });
    }

    public async ValueTask DisposeAsync()
    {
        await _listener.DisposeAsync();
        _http.Dispose();
    }

    [GeneratedRegex("^/endpoints/(?<name>[^/?]+)/invocations$")]
    private static partial Regex InvocationsPath();
}

/// <summary>One InvokeEndpoint call through <see cref="FakeSageMakerRuntime"/>: what arrived, what it answered, what the container answered (null: not forwarded).</summary>
internal sealed record RuntimeExchange(SageMakerStubRequest Request, int Status, int? ContainerStatus, string Body);
