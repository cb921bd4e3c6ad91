namespace AncOrleans.Dsp;

/// <summary>
/// The periodic Hann window for spectral analysis (Harris, "On the use of windows for harmonic analysis with the
/// discrete Fourier transform", Proc. IEEE 66(1), 1978):
/// <code>
///   w(i) = 0.5 − 0.5 cos(2π i / N),   i = 0 … N − 1
/// </code>
/// Periodic (÷ N, not N − 1), so that frames overlapped by half sum to a constant.
/// </summary>
public static class HannWindow
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, float[]> Cache = new();

    /// <summary>The same window, one read-only copy per length shared by every caller (never write into it).</summary>
    public static float[] Shared(int length) => Cache.GetOrAdd(length, Periodic);

    public static float[] Periodic(int length)
    {
        var window = new float[length];
        for (var i = 0; i < length; i++) window[i] = (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * i / length));
        return window;
    }
}
