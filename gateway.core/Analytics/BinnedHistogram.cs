namespace AncOrleans.Gateway.Analytics;

/// <summary>
/// Counts of values in fixed bins (allocated once; <see cref="Record"/> allocates nothing), for percentiles that need
/// no sample kept: linear bins of <c>width</c> from <c>low</c> (latency: log-spaced, 20 per decade, via
/// <see cref="Latency"/>). A percentile is its bin's centre, so it is good to half a bin.
/// </summary>
public sealed class BinnedHistogram
{
    private readonly double[] _counts;
    private readonly double _low, _width;
    private readonly bool _log;

    private BinnedHistogram(double low, double width, int bins, bool log)
    {
        _low = low;
        _width = width;
        _log = log;
        _counts = new double[bins];
    }

    /// <summary>Milliseconds from 0.01 to 10⁴, 20 bins per decade (±6 %).</summary>
    public static BinnedHistogram Latency() => new(-2, 0.05, 120, log: true);

    /// <summary>Decibels from −40 to +100 in 0.25 dB bins.</summary>
    public static BinnedHistogram Decibels() => new(-40, 0.25, 560, log: false);

    public double Total { get; private set; }

    public void Record(double value, double weight = 1)
    {
        if (!double.IsFinite(value) || !(weight > 0)) return;
        var x = _log ? Math.Log10(Math.Max(value, 1e-9)) : value;
        var bin = (int)Math.Floor((x - _low) / _width);
        _counts[Math.Clamp(bin, 0, _counts.Length - 1)] += weight;
        Total += weight;
    }

    /// <summary>The value below which a fraction <paramref name="p"/> of the weight lies (NaN when empty).</summary>
    public double Percentile(double p)
    {
        if (Total <= 0) return double.NaN;
        var target = p * Total;
        var sum = 0.0;
        for (var i = 0; i < _counts.Length; i++)
        {
            sum += _counts[i];
            if (sum >= target && _counts[i] > 0)
            {
                var centre = _low + (i + 0.5) * _width;
                return _log ? Math.Pow(10, centre) : centre;
            }
        }
        var last = _low + (_counts.Length - 0.5) * _width;
        return _log ? Math.Pow(10, last) : last;
    }

    /// <summary>Adds another histogram of the same bins.</summary>
    public void Add(BinnedHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._counts.Length != _counts.Length || other._low != _low || other._width != _width) throw new ArgumentException("The histograms' bins differ.");
        for (var i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
        Total += other.Total;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Total = 0;
    }
}
