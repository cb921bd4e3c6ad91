namespace AncOrleans.Dsp;

/// <summary>
/// Harmonic (sinusoidal) model of tonal noise whose 2K weights RLS tracks — the tonal branch of the hybrid.
/// A <see cref="HarmonicTracker"/> locks onto the fundamental of the reference and gives its phase ψ(n);
/// the model is
/// <code>
///   b(ψ)   = [cos ψ, sin ψ, cos 2ψ, sin 2ψ, …, cos Kψ, sin Kψ]ᵀ
///   g(n)   = (Ŝ * b)(n) = [Re, Im] of G_k e^{jkψ(n)},  G_k = Ŝ(e^{jkω})   regressor as heard through Ŝ
///   z(n)   = wᵀ g(n)
///   y(n+D) = wᵀ b(ψ̂(n+D))                 output: the basis at the phase extrapolated across the loop delay
/// </code>
/// and <see cref="RlsCore"/> fits w, updating every <c>RlsUpdateEvery</c>-th sample with λ per update =
/// λ^RlsUpdateEvery (the same memory in time, a quarter of the O(M²) work). Because the basis is phase-locked to
/// the noise, w varies only as slowly as the harmonics' amplitudes and the paths' responses at kf0 — and the
/// basis carries none of the reference's broadband floor, so the model adds no noise of its own. Ŝ is applied
/// as its frequency response at each harmonic (exact for a steady tone, recomputed every 32 samples as f0
/// moves) instead of 2K FIR filters. Per sample: 3K complex products and 2K-long dot products.
/// (Kuo &amp; Morgan, "Active Noise Control Systems", 1996, ch. 4: narrowband ANC with a synthesised reference.)
/// </summary>
public sealed class HarmonicCanceller
{
    private const int GainEvery = 32;     // samples between recomputations of G_k
    private readonly int _harmonics;      // K
    private readonly int _sampleRate;
    private readonly HarmonicTracker _tracker;
    private readonly RlsCore _rls;
    private readonly float[]? _secondary; // Ŝ taps (antinoise), null in clean mode
    private readonly double[] _gainRe, _gainIm; // G_k
    private readonly double[] _g;         // regressor g(n)
    private readonly double[] _basis;     // scratch basis
    private readonly int _updateEvery;    // RLS decimation
    private int _phase;                   // samples since the last RLS update
    private int _sinceGain = GainEvery;   // samples since G_k was computed
    private int _acquisitions;            // tracker acquisitions seen (a new lock resets the weights)

    /// <summary>Changes λ (per sample) without touching the model's weights.</summary>
    public void SetForgetting(double lambda) => _rls.Lambda = Math.Pow(lambda, _updateEvery);

    public HarmonicCanceller(int sampleRate, int harmonics, double lambda, int updateEvery, float[]? secondaryPath, int ahead)
    {
        _harmonics = harmonics;
        _sampleRate = sampleRate;
        _updateEvery = Math.Max(1, updateEvery);
        _tracker = new HarmonicTracker(sampleRate) { Ahead = ahead };
        _rls = new RlsCore(2 * harmonics, Math.Pow(lambda, _updateEvery));
        _secondary = secondaryPath;
        _gainRe = new double[harmonics];
        _gainIm = new double[harmonics];
        Array.Fill(_gainRe, 1.0);
        _g = new double[2 * harmonics];
        _basis = new double[2 * harmonics];
    }

    public HarmonicTracker Tracker => _tracker;
    public RlsCore Rls => _rls;

    /// <summary>Feeds the reference sample the phase is tracked on, and forms the regressor for this sample.</summary>
    public void Push(float reference)
    {
        _tracker.Push(reference);
        if (_tracker.Acquisitions != _acquisitions)
        {
            _acquisitions = _tracker.Acquisitions;
            _rls.Reset();
            _sinceGain = GainEvery;
        }
        if (!_tracker.Locked) return;
        if (_secondary is not null && ++_sinceGain >= GainEvery) SecondaryGains();
        Regressor();
    }

    // g = [Re, Im] of G_k e^{jkψ(n)}.
    private void Regressor()
    {
        Basis(_tracker.BasisCos, _tracker.BasisSin, _basis);
        for (var k = 0; k < _harmonics; k++)
        {
            var c = _basis[2 * k];
            var s = _basis[2 * k + 1];
            _g[2 * k] = _gainRe[k] * c - _gainIm[k] * s;
            _g[2 * k + 1] = _gainRe[k] * s + _gainIm[k] * c;
        }
    }

    /// <summary>G_k = Σ_m ŝ(m) e^{−jkωm} at the current fundamental.</summary>
    private void SecondaryGains()
    {
        _sinceGain = 0;
        var w = 2 * Math.PI * _tracker.SmoothFrequency / _sampleRate;
        for (var k = 0; k < _harmonics; k++)
        {
            double re = 0, im = 0;
            for (var m = 0; m < _secondary!.Length; m++)
            {
                var (sin, cos) = Math.SinCos((k + 1) * w * m);
                re += _secondary[m] * cos;
                im -= _secondary[m] * sin;
            }
            _gainRe[k] = re;
            _gainIm[k] = im;
        }
    }

    // [cos kψ, sin kψ] for k = 1…K from e^{jψ} by repeated multiplication.
    private void Basis(double cos1, double sin1, Span<double> destination)
    {
        double c = cos1, s = sin1;
        for (var k = 0; k < _harmonics; k++)
        {
            destination[2 * k] = c;
            destination[2 * k + 1] = s;
            (c, s) = (c * cos1 - s * sin1, s * cos1 + c * sin1);
        }
    }

    public float Predict() => _tracker.Locked ? (float)_rls.Predict(_g) : 0f;

    public void Update(float error)
    {
        if (!_tracker.Locked || ++_phase < _updateEvery) return;
        _phase = 0;
        _rls.Update(_g, error);
    }

    /// <summary>y(n + D): the model at the extrapolated phase.</summary>
    public float Output()
    {
        if (!_tracker.Locked) return 0f;
        var (c, s) = (_tracker.BasisCos * _tracker.AheadCos - _tracker.BasisSin * _tracker.AheadSin,
                      _tracker.BasisSin * _tracker.AheadCos + _tracker.BasisCos * _tracker.AheadSin);
        Basis(c, s, _basis);
        return (float)_rls.Predict(_basis);
    }

    public bool IsHealthy
    {
        get
        {
            foreach (var w in _rls.Weights) if (!double.IsFinite(w)) return false;
            return true;
        }
    }

    public void Reset()
    {
        _rls.Reset();
        _tracker.Reset();
        _acquisitions = 0;
        _sinceGain = GainEvery;
    }

    public int StateLength => _rls.StateLength + HarmonicTracker.StateLength;

    public void SaveState(Span<float> destination)
    {
        _rls.SaveState(destination[.._rls.StateLength]);
        _tracker.SaveState(destination.Slice(_rls.StateLength, HarmonicTracker.StateLength));
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        _rls.LoadState(source[.._rls.StateLength]);
        _tracker.LoadState(source.Slice(_rls.StateLength, HarmonicTracker.StateLength));
        _acquisitions = _tracker.Acquisitions; // a restored lock keeps its weights
        _sinceGain = GainEvery;
        if (!_tracker.Locked) return;
        if (_secondary is not null) SecondaryGains();
        Regressor(); // the next Predict may come before the next Push
    }
}
