namespace AncOrleans.Dsp.Classification;

/// <summary>One label of the noise taxonomy: its group, the ANC profile it selects, and whether it is an emergency.</summary>
public sealed record NoiseCategory(string Label, string Group, AncProfile Profile, string Description, bool Emergency = false);
