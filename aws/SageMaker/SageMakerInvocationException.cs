using System.Net;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// A SageMaker invocation that failed. <see cref="ErrorType"/> is short and low-cardinality, for logs and the
/// <c>error.type</c> tag of <c>anc.classifier.fallbacks</c>: <c>timeout</c>, <c>connection</c>, <c>credentials</c>,
/// <c>bad_response</c>, or <c>http_{status}</c>.
/// </summary>
public sealed class SageMakerInvocationException : Exception
{
    public SageMakerInvocationException(string errorType, bool isRetryable, string message, Exception? innerException = null,
        HttpStatusCode? statusCode = null, string? awsErrorCode = null)
        : base(message, innerException)
    {
        ErrorType = errorType;
        IsRetryable = isRetryable;
        StatusCode = statusCode;
        AwsErrorCode = awsErrorCode;
    }

    public string ErrorType { get; }

    /// <summary>Whether another attempt may succeed (timeouts, connection errors, 5xx, 429, throttling).</summary>
    public bool IsRetryable { get; }

    /// <summary>The HTTP status, when the endpoint answered.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The AWS error code when the answer carried one, e.g. <c>ModelError</c>, <c>ThrottlingException</c>.</summary>
    public string? AwsErrorCode { get; }
}
