namespace AncOrleans.Aws.SageMaker;

/// <summary>Body sent to the endpoint: <c>{"features":[…]}</c>, one window's feature vector.</summary>
public sealed record SageMakerInvocationRequest(float[] Features);
