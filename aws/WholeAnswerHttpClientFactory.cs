using Amazon.Runtime;

namespace AncOrleans.Aws;

/// <summary>
/// The AWS SDK's HTTP client, with each attempt's whole answer (headers and body) bounded by the attempt's timeout
/// (<see cref="DynamoDb.DynamoDbOptions.RequestTimeout"/>, <c>Recording:S3:RequestTimeout</c>). The SDK's own
/// per-attempt timeout covers the request and the response headers, not the body it then reads: against a server
/// that sends the headers and stalls the body, AWSSDK.DynamoDBv2 4.1.0 with a 1 s timeout was still waiting after
/// 40 s, on one connection, without a retry (measured 2026-12-01). That is what hung a session's <c>EndAsync</c> for
/// over 90 s on DynamoDB Local in CI (the published gateway's warm-up, <c>ImageBuildTests</c>), and, before the read
/// deadline, the failover tests' state reads (docs/reliability.md); a recording's upload could hang the same way.
/// Here the body is read into memory within the attempt's deadline; past it the attempt fails as the SDK's own
/// timeout does (a <see cref="TaskCanceledException"/> around a <see cref="TimeoutException"/>), and the SDK retries
/// it as such. The answers are small (a DynamoDB item is at most 400 KB; a recording chunk's WAV about 1 MB), so
/// buffering them costs nothing the SDK would not read anyway.
/// </summary>
public sealed class WholeAnswerHttpClientFactory(string service, TimeSpan attemptTimeout) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        new(new WholeAnswerDeadline(new SocketsHttpHandler(), service, attemptTimeout)) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Fails an attempt whose headers and body have not both arrived within the timeout.</summary>
    private sealed class WholeAnswerDeadline(HttpMessageHandler inner, string service, TimeSpan timeout) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            HttpResponseMessage? response = null;
            try
            {
                response = await base.SendAsync(request, deadline.Token).ConfigureAwait(false);
                await response.Content.LoadIntoBufferAsync(deadline.Token).ConfigureAwait(false);
                return response;
            }
            catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                response?.Dispose();
                var stage = response is null ? "no answer" : "headers but not the whole body";
                throw new TaskCanceledException($"{service} {request.Method} {request.RequestUri}: {stage} within {timeout.TotalSeconds:0.#} s",
                    new TimeoutException($"{stage} within {timeout.TotalSeconds:0.#} s", e));
            }
        }
    }
}
