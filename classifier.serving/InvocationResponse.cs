namespace AncOrleans.Classifier.Serving;

/// <summary>
/// The <c>/invocations</c> answer: <c>{"labels":[…],"probabilities":[…]}</c>, one probability per noise-category
/// label, in the model's order (what <c>SageMakerInvocationResponse</c> parses).
/// </summary>
public sealed record InvocationResponse(IReadOnlyList<string> Labels, float[] Probabilities);
