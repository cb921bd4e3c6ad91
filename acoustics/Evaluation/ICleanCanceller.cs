namespace AncOrleans.Acoustics.Evaluation;

/// <summary>
/// A canceller run in clean mode (Widrow's adaptive noise canceller): given the reference x(n)
/// and the primary input d(n), it writes the residual d(n) − ŷ(n). Ours and the peers
/// (NWaves NLMS, SpeexDSP MDF) all run through this one harness shape so their numbers compare.
/// </summary>
public interface ICleanCanceller : IDisposable
{
    /// <summary>Name reported as <c>peer</c> (e.g. <c>nwaves-nlms</c>) or the algorithm name for ours.</summary>
    string Name { get; }

    /// <summary>Samples per <see cref="Process"/> call; the harness always passes exactly this many.</summary>
    int BlockSize { get; }

    /// <summary>Processes one block: writes d − ŷ into <paramref name="residual"/>. Signals are nominally in [−1, 1].</summary>
    void Process(ReadOnlySpan<float> reference, ReadOnlySpan<float> primary, Span<float> residual);
}
