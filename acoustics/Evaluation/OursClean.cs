using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Evaluation;

/// <summary>Our canceller in clean mode behind the harness interface shared with the peers.</summary>
public sealed class OursClean(AncSettings settings, int blockSize = 480) : ICleanCanceller
{
    private readonly AncProcessor _processor = new(settings with { Mode = CancellerMode.Clean });

    public string Name => settings.Algorithm.ToString().ToLowerInvariant();
    public int BlockSize => blockSize;

    public void Process(ReadOnlySpan<float> reference, ReadOnlySpan<float> primary, Span<float> residual) =>
        _processor.ProcessClean(reference, primary, residual);

    public void Dispose() { }
}
