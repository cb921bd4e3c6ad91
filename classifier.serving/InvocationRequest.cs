namespace AncOrleans.Classifier.Serving;

/// <summary>
/// The <c>/invocations</c> body: <c>{"features":[…]}</c>, one window's feature vector (<c>NoiseFeatures.Length</c>
/// numbers). The same JSON as the gateway's SageMaker backend sends (<c>SageMakerInvocationRequest</c>); this host does
/// not reference it (that would pull Orleans and the AWS SDK in), the contract tests check the two agree.
/// </summary>
public sealed record InvocationRequest(float[]? Features);
