namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Triangular mel filters over a power spectrum (Davis &amp; Mermelstein, "Comparison of parametric
/// representations for monosyllabic word recognition", IEEE TASSP 28(4), 1980), mel(f) = 2595 log10(1 + f/700),
/// with band edges equally spaced in mel between <c>low</c> and <c>high</c> Hz. Each filter is stored as a
/// contiguous run of weights so applying the bank is one dot product per band.
/// </summary>
public sealed class MelFilterbank
{
    private readonly int[] _start;
    private readonly float[][] _weights;

    public MelFilterbank(int bands, int fftSize, int sampleRate, double low, double high)
    {
        Bands = bands;
        static double Mel(double f) => 2595 * Math.Log10(1 + f / 700);
        static double Hz(double m) => 700 * (Math.Pow(10, m / 2595) - 1);
        var edges = Enumerable.Range(0, bands + 2).Select(i => Hz(Mel(low) + (Mel(high) - Mel(low)) * i / (bands + 1))).ToArray();
        var binHz = (double)sampleRate / fftSize;
        _start = new int[bands];
        _weights = new float[bands][];
        for (var m = 0; m < bands; m++)
        {
            double left = edges[m], centre = edges[m + 1], right = edges[m + 2];
            var first = (int)Math.Ceiling(left / binHz);
            var last = Math.Min(fftSize / 2, (int)Math.Floor(right / binHz));
            if (last < first) last = first = Math.Min(fftSize / 2, (int)Math.Round(centre / binHz)); // narrow low bands: nearest bin
            _start[m] = first;
            _weights[m] = new float[last - first + 1];
            for (var k = first; k <= last; k++)
            {
                var f = k * binHz;
                var w = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
                _weights[m][k - first] = (float)Math.Max(w, last == first ? 1 : 0);
            }
        }
    }

    public int Bands { get; }

    /// <summary>E[m] = Σ_k w_m(k) P(k).</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> energies)
    {
        for (var m = 0; m < Bands; m++)
            energies[m] = System.Numerics.Tensors.TensorPrimitives.Dot(power.Slice(_start[m], _weights[m].Length), _weights[m]);
    }
}
