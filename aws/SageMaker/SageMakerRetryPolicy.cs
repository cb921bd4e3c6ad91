using System.Net;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Which failed SageMaker answers are worth another attempt, and how long to wait before it.
/// Retried: 5xx (InternalFailure 500, ServiceUnavailable 503, InternalDependencyException 530), 429
/// (ModelNotReadyException), and any status whose AWS error code is a throttling code (AWS front ends answer
/// <c>ThrottlingException</c> with 400). Not retried: other 4xx (ValidationError 400, ModelError 424, auth 403).
/// Backoff before retry n (0-based) is exponential with "equal jitter": drawn uniformly from [b/2, b] with
/// b = min(MaxBackoffMs, BackoffMs · 2ⁿ), so concurrent callers spread out but never retry at once.
/// </summary>
internal sealed class SageMakerRetryPolicy(SageMakerClassifierOptions options)
{
    // The throttling codes the AWS SDKs retry on (the ones an AWS JSON front end can answer with).
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "RequestThrottled", "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "SlowDown",
        "PriorRequestNotComplete",
    };

    public static bool IsRetryable(HttpStatusCode status, string? awsErrorCode) =>
        (int)status >= 500 || status == HttpStatusCode.TooManyRequests
        || (awsErrorCode is not null && ThrottlingCodes.Contains(awsErrorCode));

    public TimeSpan Delay(int retry)
    {
        var ceiling = Math.Min(options.MaxBackoffMs, options.BackoffMs * Math.Pow(2, Math.Min(retry, 30)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}
