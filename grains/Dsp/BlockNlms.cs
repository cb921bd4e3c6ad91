using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// Partitioned-block frequency-domain NLMS (PBFDAF: Soo &amp; Pang, "Multidelay block frequency domain adaptive
/// filter", IEEE TASSP 38(2), 1990; the structure of SpeexDSP's mdf.c), constrained, with per-bin power
/// normalisation. L taps in P = L/B partitions of B; FFT size N = 2B; block j, overlap-save:
/// <code>
///   X_j      = FFT([x_{j−1}, x_j])                          (2B samples: previous block, this block)
///   ŷ_j      = last B of IFFT( Σ_p W_p · X_{j−p} )
///   E_j      = FFT([0_B, e_j])
///   Φ_k     ← β Φ_k + (1−β) |X_j(k)|²,  β = 0.7               per-bin power (β swept: 0.5–0.9)
///   W_p     ← W_p + μ · FFT(first-B-of IFFT( X*_{j−p} E_j / (P Φ + δ) ))   gradient constraint
/// </code>
/// Normalising per bin whitens the update, so pink or speech-like references converge about as fast as
/// white ones (time-domain NLMS slows by the eigenvalue spread). The filter adapts once per block: its
/// weights lag by one block of B samples, which the loop delay D ≥ B already covers. For samples that do
/// not complete a block inside one call, <see cref="Predict"/>/<see cref="Output"/> apply the same weights
/// in the time domain, so any frame length works. Allocation-free per block.
/// </summary>
public sealed class BlockNlms
{
    private readonly int _l, _b, _p, _n;       // taps L, block B, partitions P, FFT size N
    private readonly Fft _fft;
    private readonly float _mu, _delta;
    private readonly float[][] _wRe, _wIm;      // W_p, N bins each
    private readonly float[][] _xRe, _xIm;      // ring of the last P regressor spectra X_{j−p}
    private readonly float[][] _vRe, _vIm;      // ring of the last P output-input spectra V_{j−p}
    private readonly float[] _power;            // Φ_k
    private readonly float[] _re, _im, _accRe, _accIm; // scratch
    private readonly float[] _timeWeights;      // w in window order (w[L−1] multiplies the newest sample)
    private bool _timeWeightsStale;
    private int _head;                          // ring slot of the current block j

    public BlockNlms(int length, int block, float mu, float delta)
    {
        if (block < 2 || (block & (block - 1)) != 0) throw new ArgumentException($"block {block} must be a power of two.");
        if (!(mu > 0 && mu < 2)) throw new ArgumentOutOfRangeException(nameof(mu), mu, "μ must be in (0, 2).");
        _b = block;
        _p = (length + block - 1) / block;
        _l = _p * block;
        _n = 2 * block;
        _fft = new Fft(_n);
        _mu = mu;
        _delta = delta;
        _wRe = Jagged(_p, _n); _wIm = Jagged(_p, _n);
        _xRe = Jagged(_p, _n); _xIm = Jagged(_p, _n);
        _vRe = Jagged(_p, _n); _vIm = Jagged(_p, _n);
        _power = new float[_n];
        _re = new float[_n]; _im = new float[_n]; _accRe = new float[_n]; _accIm = new float[_n];
        _timeWeights = new float[_l];
    }

    private static float[][] Jagged(int rows, int columns) => Enumerable.Range(0, rows).Select(_ => new float[columns]).ToArray();

    /// <summary>Taps (L rounded up to whole blocks).</summary>
    public int Length => _l;

    public int Block => _b;

    /// <summary>Takes this block's regressor and output-input spectra from the last 2B samples of each (oldest first).</summary>
    public void BeginBlock(ReadOnlySpan<float> regressor2B, ReadOnlySpan<float> output2B)
    {
        _head = (_head + 1) % _p;
        Spectrum(regressor2B, _xRe[_head], _xIm[_head]);
        Spectrum(output2B, _vRe[_head], _vIm[_head]);
    }

    private void Spectrum(ReadOnlySpan<float> signal, float[] re, float[] im)
    {
        signal[^_n..].CopyTo(re);
        Array.Clear(im);
        _fft.Forward(re, im);
    }

    /// <summary>
    /// Recomputes the spectra of the last P complete blocks from signal histories (oldest first) whose newest
    /// <paramref name="pending"/> samples belong to the block in progress — for a restore from a checkpoint.
    /// </summary>
    public void RebuildSpectra(ReadOnlySpan<float> regressor, ReadOnlySpan<float> output, int pending)
    {
        for (var p = _p - 1; p >= 0; p--)
        {
            var end = regressor.Length - pending - p * _b;
            _head = (_head + 1) % _p;
            if (end - _n < 0) { Array.Clear(_xRe[_head]); Array.Clear(_xIm[_head]); Array.Clear(_vRe[_head]); Array.Clear(_vIm[_head]); continue; }
            Spectrum(regressor[(end - _n)..end], _xRe[_head], _xIm[_head]);
            Spectrum(output[(end - _n)..end], _vRe[_head], _vIm[_head]);
        }
    }

    /// <summary>ŷ for the whole current block on the regressor (a priori estimate z).</summary>
    public void PredictBlock(Span<float> destination) => Convolve(_xRe, _xIm, destination);

    /// <summary>The same weights on the output input (the anti-noise y).</summary>
    public void OutputBlock(Span<float> destination) => Convolve(_vRe, _vIm, destination);

    private void Convolve(float[][] ringRe, float[][] ringIm, Span<float> destination)
    {
        Array.Clear(_accRe);
        Array.Clear(_accIm);
        for (var p = 0; p < _p; p++)
        {
            var slot = (_head - p + _p) % _p;
            ComplexMultiplyAdd(_wRe[p], _wIm[p], ringRe[slot], ringIm[slot], _accRe, _accIm);
        }
        _fft.Inverse(_accRe, _accIm);
        _accRe.AsSpan(_b, _b).CopyTo(destination);
    }

    // acc += a · b (complex, element-wise)
    private static void ComplexMultiplyAdd(float[] aRe, float[] aIm, float[] bRe, float[] bIm, float[] accRe, float[] accIm)
    {
        for (var k = 0; k < aRe.Length; k++)
        {
            accRe[k] += aRe[k] * bRe[k] - aIm[k] * bIm[k];
            accIm[k] += aRe[k] * bIm[k] + aIm[k] * bRe[k];
        }
    }

    /// <summary>Adapts on the block's a priori errors e_j (B samples), after <see cref="BeginBlock"/>.</summary>
    public void EndBlock(ReadOnlySpan<float> errors)
    {
        foreach (var e in errors) if (!float.IsFinite(e)) return; // a non-finite error never reaches W
        // E = FFT([0_B, e])
        Array.Clear(_re, 0, _b);
        errors[.._b].CopyTo(_re.AsSpan(_b));
        Array.Clear(_im);
        _fft.Forward(_re, _im);
        var current = _head;
        for (var k = 0; k < _n; k++)
        {
            var magnitude = _xRe[current][k] * _xRe[current][k] + _xIm[current][k] * _xIm[current][k];
            _power[k] = 0.7f * _power[k] + 0.3f * magnitude;
        }
        for (var p = 0; p < _p; p++)
        {
            var slot = (_head - p + _p) % _p;
            var xr = _xRe[slot];
            var xi = _xIm[slot];
            for (var k = 0; k < _n; k++)
            {
                // X* E / (P Φ + δ)
                var scale = _mu / (_p * _power[k] + _delta);
                _accRe[k] = (xr[k] * _re[k] + xi[k] * _im[k]) * scale;
                _accIm[k] = (xr[k] * _im[k] - xi[k] * _re[k]) * scale;
            }
            // Gradient constraint: keep the first B taps of the correlation.
            _fft.Inverse(_accRe, _accIm);
            Array.Clear(_accRe, _b, _b);
            Array.Clear(_accIm);
            _fft.Forward(_accRe, _accIm);
            TensorPrimitives.Add(_wRe[p], _accRe, _wRe[p]);
            TensorPrimitives.Add(_wIm[p], _accIm, _wIm[p]);
        }
        _timeWeightsStale = true;
    }

    /// <summary>Time-domain a priori estimate wᵀu for one sample (u: window of L, oldest first).</summary>
    public float Predict(ReadOnlySpan<float> window) => TensorPrimitives.Dot(TimeWeights, window[^_l..]);

    public float Output(ReadOnlySpan<float> window) => TensorPrimitives.Dot(TimeWeights, window[^_l..]);

    private float[] TimeWeights
    {
        get
        {
            if (!_timeWeightsStale) return _timeWeights;
            for (var p = 0; p < _p; p++)
            {
                _wRe[p].CopyTo(_accRe, 0);
                _wIm[p].CopyTo(_accIm, 0);
                _fft.Inverse(_accRe, _accIm);
                for (var k = 0; k < _b; k++) _timeWeights[_l - 1 - (p * _b + k)] = _accRe[k];
            }
            _timeWeightsStale = false;
            return _timeWeights;
        }
    }

    public bool IsHealthy
    {
        get
        {
            for (var p = 0; p < _p; p++)
                if (!float.IsFinite(TensorPrimitives.Sum(_wRe[p])) || !float.IsFinite(TensorPrimitives.Sum(_wIm[p]))) return false;
            return true;
        }
    }

    public void Reset()
    {
        for (var p = 0; p < _p; p++)
        {
            Array.Clear(_wRe[p]); Array.Clear(_wIm[p]);
            Array.Clear(_xRe[p]); Array.Clear(_xIm[p]);
            Array.Clear(_vRe[p]); Array.Clear(_vIm[p]);
        }
        Array.Clear(_power);
        Array.Clear(_timeWeights);
        _timeWeightsStale = false;
    }

    /// <summary>W (P·2N) and Φ (N). The spectra rings are rebuilt from the signal histories by the caller.</summary>
    public int StateLength => _p * 2 * _n + _n;

    public void SaveState(Span<float> destination)
    {
        for (var p = 0; p < _p; p++)
        {
            _wRe[p].CopyTo(destination[(2 * p * _n)..]);
            _wIm[p].CopyTo(destination[((2 * p + 1) * _n)..]);
        }
        _power.CopyTo(destination[(2 * _p * _n)..]);
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        for (var p = 0; p < _p; p++)
        {
            source.Slice(2 * p * _n, _n).CopyTo(_wRe[p]);
            source.Slice((2 * p + 1) * _n, _n).CopyTo(_wIm[p]);
        }
        source.Slice(2 * _p * _n, _n).CopyTo(_power);
        _timeWeightsStale = true;
    }
}
