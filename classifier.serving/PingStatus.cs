namespace AncOrleans.Classifier.Serving;

/// <summary>The <c>/ping</c> answer once the model is ready: the file served and the setting that chose it.</summary>
public sealed record PingStatus(string Status, string Model, string ChosenBy);
