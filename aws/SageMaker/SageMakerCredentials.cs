using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Where the SageMaker backend's signing credentials come from: the standard AWS chain (environment variables,
/// profile, web identity, ECS/EKS container credentials, EC2 instance profile) via the SDK's
/// <see cref="DefaultAWSCredentialsIdentityResolver"/>, which caches what it finds; or fixed credentials (tests).
/// Resolution is lazy, so a silo without AWS credentials still starts and answers from the embedded backend.
/// </summary>
public sealed class SageMakerCredentials
{
    private readonly AWSCredentials? _fixed;

    private SageMakerCredentials(AWSCredentials? credentials) => _fixed = credentials;

    /// <summary>The standard AWS credentials chain.</summary>
    public static SageMakerCredentials DefaultChain { get; } = new(null);

    /// <summary>Always these credentials, e.g. <c>new BasicAWSCredentials(accessKey, secretKey)</c>.</summary>
    public static SageMakerCredentials Fixed(AWSCredentials credentials) =>
        new(credentials ?? throw new ArgumentNullException(nameof(credentials)));

    /// <summary>The credentials to sign with; refreshing ones (roles, SSO) renew themselves when the signer reads them.</summary>
    public Task<AWSCredentials> ResolveAsync() =>
        _fixed is { } credentials ? Task.FromResult(credentials) : DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync();
}
