namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Body the endpoint answers with: <c>{"labels":[…],"probabilities":[…]}</c>, two arrays of equal length, one
/// probability per noise-category label.
/// </summary>
public sealed record SageMakerInvocationResponse(string[]? Labels, float[]? Probabilities);
