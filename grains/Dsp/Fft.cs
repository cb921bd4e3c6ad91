namespace AncOrleans.Dsp;

/// <summary>
/// In-place iterative radix-2 complex FFT (Cooley &amp; Tukey, "An algorithm for the machine calculation of
/// complex Fourier series", Math. Comp. 19, 1965), split real/imaginary arrays, precomputed twiddles and
/// bit-reversal table; no allocation per call.
/// <code>
///   X(k) = Σ_n x(n) e^{−j2πkn/N}          Forward
///   x(n) = (1/N) Σ_k X(k) e^{+j2πkn/N}     Inverse (scaled)
/// </code>
/// </summary>
public sealed class Fft
{
    private readonly int _n;
    private readonly float[] _cos, _sin; // twiddles e^{−j2πk/N}, k < N/2
    private readonly int[] _reverse;     // bit-reversal permutation

    public Fft(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0) throw new ArgumentException($"FFT size {size} is not a power of two.");
        _n = size;
        _cos = new float[size / 2];
        _sin = new float[size / 2];
        for (var k = 0; k < size / 2; k++)
        {
            _cos[k] = (float)Math.Cos(2 * Math.PI * k / size);
            _sin[k] = (float)-Math.Sin(2 * Math.PI * k / size);
        }
        _reverse = new int[size];
        var bits = System.Numerics.BitOperations.Log2((uint)size);
        for (var i = 0; i < size; i++)
        {
            var r = 0;
            for (var b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
            _reverse[i] = r;
        }
    }

    public int Size => _n;

    public void Forward(Span<float> re, Span<float> im) => Transform(re, im, inverse: false);

    public void Inverse(Span<float> re, Span<float> im)
    {
        Transform(re, im, inverse: true);
        var scale = 1f / _n;
        for (var i = 0; i < _n; i++)
        {
            re[i] *= scale;
            im[i] *= scale;
        }
    }

    private void Transform(Span<float> re, Span<float> im, bool inverse)
    {
        for (var i = 0; i < _n; i++)
        {
            var j = _reverse[i];
            if (j <= i) continue;
            (re[i], re[j]) = (re[j], re[i]);
            (im[i], im[j]) = (im[j], im[i]);
        }
        var sign = inverse ? -1f : 1f;
        for (var size = 2; size <= _n; size <<= 1)
        {
            var half = size >> 1;
            var step = _n / size;
            for (var start = 0; start < _n; start += size)
                for (var k = 0; k < half; k++)
                {
                    var wr = _cos[k * step];
                    var wi = sign * _sin[k * step];
                    var a = start + k;
                    var b = a + half;
                    var tr = re[b] * wr - im[b] * wi;
                    var ti = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - tr;
                    im[b] = im[a] - ti;
                    re[a] += tr;
                    im[a] += ti;
                }
        }
    }
}
