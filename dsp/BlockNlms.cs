using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// Partitioned-block frequency-domain NLMS (PBFDAF: Soo &amp; Pang, "Multidelay block frequency domain adaptive
/// filter", IEEE TASSP 38(2), 1990; the structure of SpeexDSP's mdf.c), constrained, with per-bin power
/// normalisation. L taps in P = L/B partitions of B; real FFT size N = 2B (N/2 + 1 bins kept); block j, overlap-save:
/// <code>
///   X_j      = FFT([x_{j−1}, x_j])                          (2B samples: previous block, this block)
///   ŷ_j      = last B of IFFT( Σ_p W_p · X_{j−p} )
///   E_j      = FFT([0_B, e_j])
///   Φ_k     ← β Φ_k + (1−β) |X_j(k)|²,  β = 0.7               per-bin power (β swept: 0.5–0.9)
///   G_p      = μ X*_{j−p} E_j / (P Φ + δ)
///   W_p     ← W_p + G_p;  for one p per block in turn: W_p ← FFT(first B of IFFT(W_p))   (constraint)
/// </code>
/// Normalising per bin whitens the update, so pink or speech-like references converge about as fast as
/// white ones (time-domain NLMS slows by the eigenvalue spread). The filter adapts once per block: its
/// weights lag by one block of B samples, which the loop delay D ≥ B already covers. A block that arrives in
/// pieces (frames that are not a multiple of B) is convolved piece by piece, zero-padded (see
/// <see cref="BeginBlock"/>), so any frame length works without a time-domain fallback. The spectra are only ever used
/// bin by bin, so they stay in the order <see cref="BinwiseRealFft"/> leaves them (bit-reversed): no reordering pass,
/// every FFT stage in SIMD; checkpoints keep natural bin order. Allocation-free.
/// </summary>
public sealed class BlockNlms
{
    private readonly int _l, _b, _p, _n;       // taps L, block B, partitions P, FFT size N
    private readonly BinwiseRealFft _fft;    // spectra in its bin order (only ever used bin by bin)
    private readonly int _bins;                  // N/2 + 1 non-redundant bins
    private readonly float[] _time;              // scratch: N time samples
    private float _mu;
    private readonly float _delta;
    private readonly float[][] _wRe, _wIm;      // W_p, N bins each
    private readonly float[][] _xRe, _xIm;      // ring of the last P regressor spectra X_{j−p}
    private readonly float[][] _vRe, _vIm;      // ring of the last P output-input spectra V_{j−p}
    private readonly float[] _power;            // Φ_k
    private readonly float[] _scale;            // scratch: μ / (P Φ_k + δ)
    private int _constrain;                     // partition whose gradient is constrained this block
    private readonly float[] _re, _im, _accRe, _accIm; // scratch
    private int _head;                          // ring slot of the current block j

    public BlockNlms(int length, int block, float mu, float delta)
    {
        if (block < 2 || (block & (block - 1)) != 0) throw new ArgumentException($"block {block} must be a power of two.");
        if (!(mu > 0 && mu < 2)) throw new ArgumentOutOfRangeException(nameof(mu), mu, "μ must be in (0, 2).");
        _b = block;
        _p = (length + block - 1) / block;
        _l = _p * block;
        _n = 2 * block;
        _fft = new BinwiseRealFft(_n);
        _bins = _fft.Bins;
        _time = SessionArray.Of<float>(_n);
        _mu = mu;
        _delta = delta;
        _wRe = Jagged(_p, _bins); _wIm = Jagged(_p, _bins);
        _xRe = Jagged(_p, _bins); _xIm = Jagged(_p, _bins);
        _vRe = Jagged(_p, _bins); _vIm = Jagged(_p, _bins);
        _power = SessionArray.Of<float>(_bins);
        _scale = SessionArray.Of<float>(_bins);
        _re = SessionArray.Of<float>(_bins); _im = SessionArray.Of<float>(_bins); _accRe = SessionArray.Of<float>(_bins); _accIm = SessionArray.Of<float>(_bins);
    }

    private static float[][] Jagged(int rows, int columns) => Enumerable.Range(0, rows).Select(_ => SessionArray.Of<float>(columns)).ToArray();

    /// <summary>μ; may change between blocks (a retune keeps the weights).</summary>
    public float Step
    {
        get => _mu;
        set => _mu = value > 0 && value < 2 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "μ must be in (0, 2).");
    }

    /// <summary>Taps (L rounded up to whole blocks).</summary>
    public int Length => _l;

    public int Block => _b;

    /// <summary>
    /// Takes the current block's regressor and output-input spectra from 2B samples of each (oldest first):
    /// the previous block, then as much of this block as has arrived, zero-padded. Outputs at positions that
    /// have arrived do not depend on the padding (the convolution is causal), so a block that arrives in
    /// pieces is served piece by piece: <paramref name="newBlock"/> is true for its first piece only.
    /// </summary>
    public void BeginBlock(ReadOnlySpan<float> regressor2B, ReadOnlySpan<float> output2B, bool newBlock = true)
    {
        if (newBlock) _head = (_head + 1) % _p;
        Spectrum(regressor2B, _xRe[_head], _xIm[_head]);
        if (!output2B.IsEmpty) Spectrum(output2B, _vRe[_head], _vIm[_head]);
    }

    private void Spectrum(ReadOnlySpan<float> signal, float[] re, float[] im)
    {
        if (signal.IsEmpty)
        {
            Array.Clear(re);
            Array.Clear(im);
            return;
        }
        _fft.Forward(signal[^_n..], re, im);
    }

    /// <summary>
    /// Recomputes the spectra ring from signal histories (oldest first) after a restore. The newest
    /// <paramref name="pending"/> samples belong to the block in progress (which then becomes the current slot,
    /// zero-padded); with none pending, the last complete block is the current slot.
    /// </summary>
    public void RebuildSpectra(ReadOnlySpan<float> regressor, ReadOnlySpan<float> output, int pending, Span<float> scratch2B)
    {
        var blocks = pending > 0 ? _p - 1 : _p;
        for (var q = blocks - 1; q >= 0; q--)
        {
            var end = regressor.Length - pending - q * _b;
            _head = (_head + 1) % _p;
            Spectrum(end >= _n ? regressor[(end - _n)..end] : default, _xRe[_head], _xIm[_head]);
            Spectrum(end >= _n ? output[(end - _n)..end] : default, _vRe[_head], _vIm[_head]);
        }
        if (pending == 0) return;
        Window(regressor, pending, scratch2B);
        _head = (_head + 1) % _p;
        Spectrum(scratch2B, _xRe[_head], _xIm[_head]);
        Window(output, pending, scratch2B);
        Spectrum(scratch2B, _vRe[_head], _vIm[_head]);
    }

    /// <summary>2B samples ending with the <paramref name="filled"/> newest of a history: the previous block, the part of this one, zeros.</summary>
    public void Window(ReadOnlySpan<float> history, int filled, Span<float> destination)
    {
        var take = _b + filled;
        history[^take..].CopyTo(destination);
        destination[take..(2 * _b)].Clear();
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
        _fft.Inverse(_accRe, _accIm, _time);
        _time.AsSpan(_b, _b).CopyTo(destination);
    }

    // acc += a · b, or conj(a) · b (complex, element-wise), vectorised
    private static void ComplexMultiplyAdd(float[] aRe, float[] aIm, float[] bRe, float[] bIm, float[] accRe, float[] accIm, bool conjugateFirst = false)
    {
        var sign = conjugateFirst ? -1f : 1f; // conj(a) · b = a · b with Im a negated
        var lanes = System.Numerics.Vector<float>.Count;
        var k = 0;
        for (; k + lanes <= aRe.Length; k += lanes)
        {
            var ar = new System.Numerics.Vector<float>(aRe, k);
            var ai = new System.Numerics.Vector<float>(aIm, k) * sign;
            var br = new System.Numerics.Vector<float>(bRe, k);
            var bi = new System.Numerics.Vector<float>(bIm, k);
            (new System.Numerics.Vector<float>(accRe, k) + ar * br - ai * bi).CopyTo(accRe, k);
            (new System.Numerics.Vector<float>(accIm, k) + ar * bi + ai * br).CopyTo(accIm, k);
        }
        for (; k < aRe.Length; k++)
        {
            var ai = sign * aIm[k];
            accRe[k] += aRe[k] * bRe[k] - ai * bIm[k];
            accIm[k] += aRe[k] * bIm[k] + ai * bRe[k];
        }
    }

    /// <summary>Adapts on the block's a priori errors e_j (B samples), after <see cref="BeginBlock"/>.</summary>
    public void EndBlock(ReadOnlySpan<float> errors)
    {
        foreach (var e in errors) if (!float.IsFinite(e)) return; // a non-finite error never reaches W
        // E = FFT([0_B, e])
        Array.Clear(_time, 0, _b);
        errors[.._b].CopyTo(_time.AsSpan(_b));
        _fft.Forward(_time, _re, _im);
        var current = _head;
        // Φ ← 0.7 Φ + 0.3 |X|²;  scale = μ / (P Φ + δ)
        TensorPrimitives.Multiply(_xRe[current], _xRe[current], _scale);
        TensorPrimitives.MultiplyAdd(_xIm[current], _xIm[current], _scale, _scale);
        TensorPrimitives.Multiply(_scale, 0.3f, _scale);
        TensorPrimitives.MultiplyAdd(_power, 0.7f, _scale, _power);
        TensorPrimitives.Multiply(_power, (float)_p, _scale);
        TensorPrimitives.Add(_scale, _delta, _scale);
        TensorPrimitives.Divide(_mu, _scale, _scale);
        // E ← E / (P Φ + δ): the normalisation is the same for every partition.
        System.Numerics.Tensors.TensorPrimitives.Multiply(_re, _scale, _re);
        System.Numerics.Tensors.TensorPrimitives.Multiply(_im, _scale, _im);
        _constrain = (_constrain + 1) % _p;
        for (var p = 0; p < _p; p++)
        {
            var slot = (_head - p + _p) % _p;
            // G = X* E
            Array.Clear(_accRe);
            Array.Clear(_accIm);
            ComplexMultiplyAdd(_xRe[slot], _xIm[slot], _re, _im, _accRe, _accIm, conjugateFirst: true);
            if (p == _constrain)
            {
                // Gradient constraint, one partition per block in turn (as WebRTC AEC3 does): keep the first B
                // taps. The others take the unconstrained gradient until their turn comes round.
                // Applied to the accumulated weights, so W_p's whole time response stays inside its B taps.
                TensorPrimitives.Add(_wRe[p], _accRe, _wRe[p]);
                TensorPrimitives.Add(_wIm[p], _accIm, _wIm[p]);
                _fft.Inverse(_wRe[p], _wIm[p], _time);
                Array.Clear(_time, _b, _b);
                _fft.Forward(_time, _wRe[p], _wIm[p]);
            }
            else
            {
                TensorPrimitives.Add(_wRe[p], _accRe, _wRe[p]);
                TensorPrimitives.Add(_wIm[p], _accIm, _wIm[p]);
            }
        }
    }

    /// <summary>
    /// The time-domain weights w (<see cref="Length"/> taps): the first B samples of IFFT(W_p) for each partition p,
    /// so that z(n) = Σ_k w(k) u(n − k) — the filter a device runs in edge mode. A partition whose gradient has not
    /// been constrained yet this round has a small tail past its B taps; it is left out, as the constraint would.
    /// </summary>
    public void ExportWeights(Span<float> taps)
    {
        if (taps.Length < _l) throw new ArgumentException($"{taps.Length} taps cannot hold a filter of {_l}.", nameof(taps));
        for (var p = 0; p < _p; p++)
        {
            _fft.Inverse(_wRe[p], _wIm[p], _time);
            _time.AsSpan(0, _b).CopyTo(taps[(p * _b)..]);
        }
    }

    /// <summary>
    /// Loads time-domain weights (the inverse of <see cref="ExportWeights"/>): W_p = FFT([w(pB … pB+B−1), 0_B]). The
    /// regressor spectra and Φ are kept, so adaptation goes on from these weights at the next block.
    /// </summary>
    public void ImportWeights(ReadOnlySpan<float> taps)
    {
        if (taps.Length > _l) throw new ArgumentException($"{taps.Length} taps do not fit a filter of {_l}.", nameof(taps));
        for (var p = 0; p < _p; p++)
        {
            Array.Clear(_time);
            var from = p * _b;
            if (from < taps.Length) taps[from..Math.Min(taps.Length, from + _b)].CopyTo(_time);
            _fft.Forward(_time, _wRe[p], _wIm[p]);
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
    }

    /// <summary>
    /// W (P·2·bins) and Φ (bins), bins in natural order whatever order the FFT keeps them in. The spectra rings are
    /// rebuilt from the signal histories by the caller.
    /// </summary>
    public int StateLength => _p * 2 * _bins + _bins;

    public void SaveState(Span<float> destination)
    {
        for (var p = 0; p < _p; p++)
        {
            ToBins(_wRe[p], destination.Slice(2 * p * _bins, _bins));
            ToBins(_wIm[p], destination.Slice((2 * p + 1) * _bins, _bins));
        }
        ToBins(_power, destination.Slice(2 * _p * _bins, _bins));
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        for (var p = 0; p < _p; p++)
        {
            FromBins(source.Slice(2 * p * _bins, _bins), _wRe[p]);
            FromBins(source.Slice((2 * p + 1) * _bins, _bins), _wIm[p]);
        }
        FromBins(source.Slice(2 * _p * _bins, _bins), _power);
    }

    private void ToBins(ReadOnlySpan<float> positions, Span<float> bins)
    {
        var map = _fft.BinOfPosition;
        for (var q = 0; q < _bins; q++) bins[map[q]] = positions[q];
    }

    private void FromBins(ReadOnlySpan<float> bins, Span<float> positions)
    {
        var map = _fft.BinOfPosition;
        for (var q = 0; q < _bins; q++) positions[q] = bins[map[q]];
    }
}
