namespace AncOrleans.Dsp;

/// <summary>
/// FFT of a real signal of N samples through one complex FFT of N/2 (the "two-for-one" packing; Brigham,
/// "The Fast Fourier Transform and its Applications", 1988, §9.3). With z(n) = x(2n) + j x(2n+1), Z = FFT(z):
/// <code>
///   X(k) = ½ (Z(k) + Z*(N/2−k)) − ½ j e^{−j2πk/N} (Z(k) − Z*(N/2−k)),   k = 0 … N/2
/// </code>
/// Only the N/2 + 1 non-redundant bins are kept. Half the work of a complex FFT of the same length.
/// The e^{−j2πk/N} table is read-only and shared by every instance of the same size (as <see cref="Fft"/>'s are); the
/// packed signal z is per-thread scratch (<see cref="FftScratch"/>), so an instance holds no work arrays.
/// <para>
/// Forward runs on <see cref="BinwiseRealFft"/>'s SIMD stages where they apply (256-bit SIMD, N ≥ 32), then puts the
/// bins in natural order (one pass of swaps, what the radix-2 path spent on its input's bit reversal); its first three
/// stages ran scalar here, and the detectors' transforms (glass break, steady lines, tones, the 16 kHz front end) were
/// the largest single cost of recognition (docs/measurements/benchmarks.md, "Seventh session"). The
/// same bins to float rounding (<c>RealFftTests</c>); <see cref="Inverse"/> stays on the radix-2 path.
/// </para>
/// </summary>
public sealed class RealFft
{
    private readonly int _n, _half;
    private readonly Fft _fft;
    private readonly float[] _cos, _sin;     // e^{−j2πk/N}, k ≤ N/2
    private readonly BinwiseRealFft? _simd;  // the forward transform's SIMD path (null: radix-2 here)

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, (float[] Cos, float[] Sin)> Shared = new();

    public RealFft(int size)
        : this(size, natural: false)
    {
    }

    /// <summary>With <paramref name="natural"/>, always the radix-2 path (<see cref="BinwiseRealFft"/>'s own fallback).</summary>
    internal RealFft(int size, bool natural)
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
        if (!natural && BinwiseRealFft.Scrambles(size)) _simd = new BinwiseRealFft(size);
    }

    /// <summary>Bins kept: N/2 + 1.</summary>
    public int Bins => _half + 1;

    /// <summary>x (N real samples) → X (N/2 + 1 bins).</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> re, Span<float> im)
    {
        if (_simd is not null)
        {
            _simd.Forward(x, re, im);
            _simd.ToNaturalOrder(re, im);
            return;
        }
        var zRe = FftScratch.PackedRe(_half);
        var zIm = FftScratch.PackedIm(_half);
        for (var n = 0; n < _half; n++)
        {
            zRe[n] = x[2 * n];
            zIm[n] = x[2 * n + 1];
        }
        Finish(zRe, zIm, re, im);
    }

    /// <summary>
    /// x·w (the first x.Length ≤ N samples, zero-padded to N) → X (N/2 + 1 bins): the windowing is done while packing,
    /// so the caller keeps no windowed copy of its frame.
    /// </summary>
    public void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> window, Span<float> re, Span<float> im)
    {
        if (x.Length > _n || window.Length < x.Length) throw new ArgumentException($"{x.Length} samples with a {window.Length}-sample window do not fit an FFT of {_n}.");
        if (_simd is not null)
        {
            var frame = FftScratch.Frame(_n);
            System.Numerics.Tensors.TensorPrimitives.Multiply(x, window[..x.Length], frame);
            frame[x.Length..].Clear();
            _simd.Forward(frame, re, im);
            _simd.ToNaturalOrder(re, im);
            return;
        }
        var zRe = FftScratch.PackedRe(_half);
        var zIm = FftScratch.PackedIm(_half);
        zRe.Clear();
        zIm.Clear();
        var pairs = x.Length / 2;
        for (var n = 0; n < pairs; n++)
        {
            zRe[n] = x[2 * n] * window[2 * n];
            zIm[n] = x[2 * n + 1] * window[2 * n + 1];
        }
        if ((x.Length & 1) != 0) zRe[pairs] = x[^1] * window[x.Length - 1];
        Finish(zRe, zIm, re, im);
    }

    private void Finish(Span<float> zRe, Span<float> zIm, Span<float> re, Span<float> im)
    {
        _fft.Forward(zRe, zIm);
        // k = 0 and k = N/2 both pair Z(0) with itself.
        re[0] = zRe[0] + zIm[0];
        im[0] = 0;
        re[_half] = zRe[0] - zIm[0];
        im[_half] = 0;
        for (var k = 1; k < _half; k++)
        {
            var a = k;
            var b = _half - k;
            // Fe = ½(Z(k) + Z*(N/2−k)),  Fo = −½ j (Z(k) − Z*(N/2−k))
            var feRe = 0.5f * (zRe[a] + zRe[b]);
            var feIm = 0.5f * (zIm[a] - zIm[b]);
            var foRe = 0.5f * (zIm[a] + zIm[b]);
            var foIm = -0.5f * (zRe[a] - zRe[b]);
            re[k] = feRe + _cos[k] * foRe - _sin[k] * foIm;
            im[k] = feIm + _cos[k] * foIm + _sin[k] * foRe;
        }
    }

    /// <summary>X (N/2 + 1 bins) → x (N real samples): the exact inverse of <see cref="Forward"/>.</summary>
    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> x)
    {
        var zRe = FftScratch.PackedRe(_half);
        var zIm = FftScratch.PackedIm(_half);
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
            zRe[k] = feRe - foIm;
            zIm[k] = feIm + foRe;
        }
        _fft.Inverse(zRe, zIm);
        for (var n = 0; n < _half; n++) // the half-length inverse (scaled 2/N) returns e(n) + j o(n) exactly
        {
            x[2 * n] = zRe[n];
            x[2 * n + 1] = zIm[n];
        }
    }
}
