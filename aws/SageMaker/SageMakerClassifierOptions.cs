namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Section <c>Classifier</c>: which noise-classifier backend the silo uses (<c>Backend</c> = <c>embedded</c>, the
/// default, or <c>sagemaker</c>) and, for <c>sagemaker</c>, how to reach the endpoint. The SageMaker backend always
/// falls back to the embedded one, so a failed call costs at most
/// <c>(MaxRetries + 1) × TimeoutMs</c> plus the backoff delays before the embedded answer is used.
/// Credentials come from the standard AWS chain (environment, profile, web identity, ECS task role, EC2 instance
/// profile). See docs/classifier-sagemaker.md for the wire contract.
/// </summary>
public sealed class SageMakerClassifierOptions
{
    public const string Section = "Classifier";
    public const string EmbeddedBackend = "embedded";
    public const string SageMakerBackend = "sagemaker";

    /// <summary><c>embedded</c> (default) or <c>sagemaker</c>.</summary>
    public string Backend { get; set; } = EmbeddedBackend;

    /// <summary>The SageMaker real-time endpoint's name (required for <c>sagemaker</c>).</summary>
    public string? EndpointName { get; set; }

    /// <summary>The endpoint's AWS region, e.g. <c>eu-west-1</c>; also the SigV4 signing region (required for <c>sagemaker</c>).</summary>
    public string? Region { get; set; }

    /// <summary>
    /// Base URL of the runtime API; default <c>https://runtime.sagemaker.{Region}.amazonaws.com</c>. Set it for a VPC
    /// interface endpoint or a local stub. Requests are still signed for <see cref="Region"/> and service <c>sagemaker</c>.
    /// </summary>
    public string? ServiceUrl { get; set; }

    /// <summary>Budget of one attempt (signing, sending, reading the answer), in milliseconds.</summary>
    public int TimeoutMs { get; set; } = 300;

    /// <summary>Further attempts after the first, on timeouts, connection errors, 5xx, 429 and throttling errors.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>Backoff before retry n (0-based) is drawn from [b/2, b] with b = min(MaxBackoffMs, BackoffMs · 2ⁿ).</summary>
    public int BackoffMs { get; set; } = 50;

    /// <summary>Cap of the backoff, in milliseconds.</summary>
    public int MaxBackoffMs { get; set; } = 1000;

    /// <summary><c>{ServiceUrl}/endpoints/{EndpointName}/invocations</c>.</summary>
    public Uri InvocationUri()
    {
        var serviceUrl = string.IsNullOrWhiteSpace(ServiceUrl) ? $"https://runtime.sagemaker.{Region}.amazonaws.com" : ServiceUrl;
        return new Uri($"{serviceUrl.TrimEnd('/')}/endpoints/{Uri.EscapeDataString(EndpointName ?? "")}/invocations");
    }
}
