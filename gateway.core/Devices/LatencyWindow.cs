namespace AncOrleans.Gateway.Devices;

/// <summary>
/// The last <see cref="Capacity"/> frame latencies of one device (frame received → reply queued, in ms), for the
/// live page's p50/p99. <see cref="Record"/> is the frame path: one store, no allocation, no lock (one writer, the
/// session's process loop). <see cref="Percentiles"/> copies and sorts, and runs only when a viewer asks; a value
/// it reads while being written is at worst one frame stale.
/// </summary>
public sealed class LatencyWindow
{
    public const int Capacity = 512;
    private readonly float[] _ms = new float[Capacity];
    private long _count;

    public void Record(double milliseconds)
    {
        var n = Volatile.Read(ref _count);
        _ms[n % Capacity] = (float)milliseconds;
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>p50 and p99 of the frames in the window, or null before the first frame.</summary>
    public (double P50, double P99)? Percentiles()
    {
        var count = (int)Math.Min(Volatile.Read(ref _count), Capacity);
        if (count == 0) return null;
        var copy = _ms.AsSpan(0, count).ToArray();
        Array.Sort(copy);
        return (At(copy, 0.50), At(copy, 0.99));
    }

    private static double At(float[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
}
