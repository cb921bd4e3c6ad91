namespace AncOrleans.Dsp;

/// <summary>
/// Arrays that live as long as the stream that owns them — filter weights, delay lines, spectra, analysis histories,
/// a frame's working buffers — allocated on the pinned object heap (<see cref="GC.AllocateArray{T}(int, bool)"/>).
/// The collector never copies that heap and looks at it only in a full (gen-2) collection, so a session's few hundred
/// KB of state are not carried from gen 0 to gen 1 to gen 2 after the session starts. On the small-object heap they
/// were: a hundred sessions started together (a load test, a scale-out, a fleet reconnecting) put ≈ 30 MB of fresh
/// survivors in front of the collector, and a fresh gateway's first second held five gen-1 collections of 7–12 ms
/// each — every frame then waited (docs/measurements/benchmarks.md, sixteenth session). Only for arrays that live as
/// long as their owner: a short-lived array here would stay until the next full collection.
/// </summary>
public static class SessionArray
{
    /// <summary>A zeroed array of <paramref name="length"/> elements for state that lives as long as its owner.</summary>
    public static T[] Of<T>(int length) where T : unmanaged => length == 0 ? [] : GC.AllocateArray<T>(length, pinned: true);

    /// <summary><see cref="Array.Resize{T}(ref T[], int)"/> to at least <paramref name="length"/>, the new array as <see cref="Of{T}(int)"/>.</summary>
    public static void Grow<T>(ref T[] array, int length) where T : unmanaged
    {
        if (array.Length >= length) return;
        var grown = Of<T>(length);
        array.CopyTo(grown, 0);
        array = grown;
    }

}
