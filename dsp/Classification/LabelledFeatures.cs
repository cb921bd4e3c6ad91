namespace AncOrleans.Dsp.Classification;

/// <summary>One labelled feature vector.</summary>
public sealed record LabelledFeatures(string Label, float[] Features);
