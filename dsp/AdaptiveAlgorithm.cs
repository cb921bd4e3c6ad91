namespace AncOrleans.Dsp;

/// <summary>Which adaptive filter a session runs; selectable so the hybrid's benefit is measured, not assumed.</summary>
public enum AdaptiveAlgorithm
{
    Nlms,
    Rls,
    Hybrid,
}
