namespace AncOrleans.Acoustics.Evaluation;

/// <summary>One evaluated case: what <c>anc eval --json</c> prints, plus the signals for <c>--out</c>.</summary>
public sealed record EvalResult
{
    public required string Scenario { get; init; }
    public required string Mode { get; init; }
    public required string Algorithm { get; init; }
    public required double DelayMs { get; init; }
    public required int SampleRate { get; init; }
    public required int FilterLength { get; init; }
    public required double ReductionDb { get; init; }
    public required double BoundDb { get; init; }
    public required double ConvergenceMs { get; init; }
    public string? Peer { get; init; }

    /// <summary>Edge mode: N, the least time between coefficient sets (ms).</summary>
    public double? UpdateMs { get; init; }
    public required double Seconds { get; init; }

    /// <summary>The error mic without ANC.</summary>
    public float[] Noise { get; init; } = [];

    /// <summary>The error mic with ANC (antinoise) or the cleaned output (clean).</summary>
    public float[] Residual { get; init; } = [];
}
