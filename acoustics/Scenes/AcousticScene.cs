namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// One deterministic acoustic world: the reference mic x(n), the noise at the ear without ANC d(n), and the
/// true paths. The ear with ANC hears e(n) = d(n) + (S*y)(n).
/// </summary>
public sealed class AcousticScene
{
    public required string Name { get; init; }
    public required int SampleRate { get; init; }
    public required float[] Reference { get; init; }
    public required float[] Disturbance { get; init; }
    public required float[] PrimaryPath { get; init; }
    public required float[] SecondaryPath { get; init; }

    /// <summary>How far the reference mic leads the ear acoustically (P's bulk delay).</summary>
    public required double AcousticLeadMs { get; init; }

    public int Length => Reference.Length;
}
