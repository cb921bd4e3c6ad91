namespace AncOrleans.Dsp;

/// <summary>
/// FFT of a real signal of N samples through one complex FFT of N/2 (the "two-for-one" packing; Brigham,
/// "The Fast Fourier Transform and its Applications", 1988, §9.3). With z(n) = x(2n) + j x(2n+1), Z = FFT(z):
/// <code>
///   X(k) = ½ (Z(k) + Z*(N/2−k)) − ½ j e^{−j2πk/N} (Z(k) − Z*(N/2−k)),   k = 0 … N/2
/// </code>
/// Only the N/2 + 1 non-redundant bins are kept. Half the work of a complex FFT of the same length.
/// The e^{−j2πk/N} table is read-only and shared by every instance of the same size (as <see cref="Fft"/>'s are).
/// </summary>
public sealed class RealFft
{
    private readonly int _n, _half;
    private readonly Fft _fft;
    private readonly float[] _cos, _sin;     // e^{−j2πk/N}, k ≤ N/2
    private readonly float[] _zRe, _zIm;     // scratch: the packed half-length signal

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, (float[] Cos, float[] Sin)> Shared = new();

    public RealFft(int size)
    {
        if (size < 4 || (size & (size - 1)) != 0) throw new ArgumentException($"FFT size {size} is not a power of two ≥ 4.");
        _n = size;
        _half = size / 2;
        _fft = new Fft(_half);
        (_cos, _sin) = Shared.GetOrAdd(size, static n =>
        {
            var cos = new float[n / 2 + 1];
            var sin = new float[n / 2 + 1];
            for (var k = 0; k <= n / 2; k++)
            {
                cos[k] = (float)Math.Cos(2 * Math.PI * k / n);
                sin[k] = (float)-Math.Sin(2 * Math.PI * k / n);
            }
            return (cos, sin);
        });
        _zRe = new float[_half];
        _zIm = new float[_half];
    }

    /// <summary>Bins kept: N/2 + 1.</summary>
    public int Bins => _half + 1;

    /// <summary>x (N real samples) → X (N/2 + 1 bins).</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> re, Span<float> im)
    {
        for (var n = 0; n < _half; n++)
        {
            _zRe[n] = x[2 * n];
            _zIm[n] = x[2 * n + 1];
        }
        Finish(re, im);
    }

    /// <summary>
    /// x·w (the first x.Length ≤ N samples, zero-padded to N) → X (N/2 + 1 bins): the windowing is done while packing,
    /// so the caller keeps no windowed copy of its frame.
    /// </summary>
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> window, Span<float> re, Span<float> im)
    {
        if (x.Length > _n || window.Length < x.Length) throw new ArgumentException($"{x.Length} samples with a {window.Length}-sample window do not fit an FFT of {_n}.");
        _zRe.AsSpan().Clear();
        _zIm.AsSpan().Clear();
        var pairs = x.Length / 2;
        for (var n = 0; n < pairs; n++)
        {
            _zRe[n] = x[2 * n] * window[2 * n];
            _zIm[n] = x[2 * n + 1] * window[2 * n + 1];
        }
        if ((x.Length & 1) != 0) _zRe[pairs] = x[^1] * window[x.Length - 1];
        Finish(re, im);
    }

    private void Finish(Span<float> re, Span<float> im)
    {
        _fft.Forward(_zRe, _zIm);
        // k = 0 and k = N/2 both pair Z(0) with itself.
        re[0] = _zRe[0] + _zIm[0];
        im[0] = 0;
        re[_half] = _zRe[0] - _zIm[0];
        im[_half] = 0;
        for (var k = 1; k < _half; k++)
        {
            var a = k;
            var b = _half - k;
            // Fe = ½(Z(k) + Z*(N/2−k)),  Fo = −½ j (Z(k) − Z*(N/2−k))
            var feRe = 0.5f * (_zRe[a] + _zRe[b]);
            var feIm = 0.5f * (_zIm[a] - _zIm[b]);
            var foRe = 0.5f * (_zIm[a] + _zIm[b]);
            var foIm = -0.5f * (_zRe[a] - _zRe[b]);
            re[k] = feRe + _cos[k] * foRe - _sin[k] * foIm;
            im[k] = feIm + _cos[k] * foIm + _sin[k] * foRe;
        }
    }

    /// <summary>X (N/2 + 1 bins) → x (N real samples): the exact inverse of <see cref="Forward"/>.</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> x)
    {
        for (var k = 0; k < _half; k++)
        {
            var b = _half - k;
            // Fe = ½(X(k) + X*(N/2−k)),  Fo = ½(X(k) − X*(N/2−k)) e^{+j2πk/N},  Z(k) = Fe + j Fo
            var feRe = 0.5f * (re[k] + re[b]);
            var feIm = 0.5f * (im[k] - im[b]);
            var dRe = 0.5f * (re[k] - re[b]);
            var dIm = 0.5f * (im[k] + im[b]);
            var foRe = dRe * _cos[k] + dIm * _sin[k];   // × e^{+jθ} with e^{−jθ} = cos + j sin stored
            var foIm = dIm * _cos[k] - dRe * _sin[k];
            _zRe[k] = feRe - foIm;
            _zIm[k] = feIm + foRe;
        }
        _fft.Inverse(_zRe, _zIm);
        for (var n = 0; n < _half; n++) // the half-length inverse (scaled 2/N) returns e(n) + j o(n) exactly
        {
            x[2 * n] = _zRe[n];
            x[2 * n + 1] = _zIm[n];
        }
    }
}
