namespace AncOrleans.Dsp;

/// <summary>
/// Per-thread work arrays for spectra that live only inside one synchronous call: the <see cref="RealFft"/>'s packed
/// half-length signal, and the bins an analyser reads right after its transform (its re/im). Sessions are many and
/// threads few, so a silo keeps one set per thread instead of one per analyser per session (a session's emergency
/// and classifier analysers held ~100 KB of such arrays, docs/measurements/benchmarks.md). Each array grows to the
/// largest size asked for on its thread, then is reused: steady state allocates nothing.
/// <para>
/// Rules: a span from here is valid until the same slot is asked for again on the thread — never across an
/// <c>await</c>, a callback or a call into another analyser; its contents on return are whatever the last user left,
/// so the caller overwrites what it reads. The transform's slots (<see cref="PackedRe"/>, <see cref="PackedIm"/>) are
/// apart from the callers' (<see cref="Re"/>, <see cref="Im"/>), so a transform may fill a caller's scratch.
/// </para>
/// </summary>
public static class FftScratch
{
    [ThreadStatic] private static float[]? _re, _im, _packedRe, _packedIm, _frame;

    /// <summary>A caller's real parts (bins), for the length of one call.</summary>
    public static Span<float> Re(int length) => Slot(ref _re, length);

    /// <summary>A caller's imaginary parts (bins), for the length of one call.</summary>
    public static Span<float> Im(int length) => Slot(ref _im, length);

    internal static Span<float> PackedRe(int length) => Slot(ref _packedRe, length);

    internal static Span<float> PackedIm(int length) => Slot(ref _packedIm, length);

    /// <summary>The packed slots as arrays (at least <paramref name="length"/> long), for the SIMD transform's refs.</summary>
    internal static float[] PackedArrayRe(int length) => Grown(ref _packedRe, length);

    internal static float[] PackedArrayIm(int length) => Grown(ref _packedIm, length);

    /// <summary>A transform's windowed, zero-padded input frame (apart from the packed and the callers' slots).</summary>
    internal static Span<float> Frame(int length) => Slot(ref _frame, length);

    private static float[] Grown(ref float[]? array, int length)
    {
        if (array is null || array.Length < length) array = new float[length];
        return array;
    }

    private static Span<float> Slot(ref float[]? array, int length) => Grown(ref array, length).AsSpan(0, length);
}
