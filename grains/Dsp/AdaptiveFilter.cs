namespace AncOrleans.Dsp;

/// <summary>
/// The common shape of our adaptive filters. The caller owns the signal histories and hands each
/// filter windows of length <see cref="Length"/> (oldest sample first):
/// <list type="bullet">
/// <item><c>u</c>, the regressor the filter adapts on (the filtered reference r(n−D) in antinoise mode, x(n−D) in clean mode);</item>
/// <item><c>v</c>, the signal the same weights are applied to for the output (the raw reference x in antinoise mode).</item>
/// </list>
/// Per sample: z = <see cref="Predict"/>(u); e = t − z; <see cref="Update"/>(u, e); y = <see cref="Output"/>(v).
/// </summary>
public abstract class AdaptiveFilter
{
    protected AdaptiveFilter(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
    }

    /// <summary>Regressor window length L.</summary>
    public int Length { get; }

    /// <summary>Stable name: <c>nlms</c>, <c>rls</c> or <c>hybrid</c>.</summary>
    public abstract string Name { get; }

    /// <summary>A priori estimate z(n) = wᵀu(n).</summary>
    public abstract float Predict(ReadOnlySpan<float> u);

    /// <summary>Adapts on the a priori error e(n) = t(n) − z(n). Non-finite errors are ignored.</summary>
    public abstract void Update(ReadOnlySpan<float> u, float error);

    /// <summary>The current weights applied to another window: y = wᵀv.</summary>
    public abstract float Output(ReadOnlySpan<float> v);

    /// <summary>True while every weight is finite.</summary>
    public abstract bool IsHealthy { get; }

    /// <summary>Back to the initial state (zero weights).</summary>
    public abstract void Reset();

    /// <summary>Number of floats <see cref="SaveState"/> writes.</summary>
    public abstract int StateLength { get; }

    /// <summary>Writes everything needed to resume without re-converging.</summary>
    public abstract void SaveState(Span<float> destination);

    /// <summary>Restores a state written by <see cref="SaveState"/> of a filter with the same settings.</summary>
    public abstract void LoadState(ReadOnlySpan<float> source);

    protected void CheckStateLength(int length)
    {
        if (length != StateLength)
            throw new ArgumentException($"State has {length} values; a {Name} filter of this shape needs {StateLength}.");
    }
}
