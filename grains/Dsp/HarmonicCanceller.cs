namespace AncOrleans.Dsp;

/// <summary>
/// Harmonic (sinusoidal) model of tonal noise whose 2K weights RLS tracks — the tonal branch of the hybrid.
/// A <see cref="HarmonicTracker"/> locks onto the fundamental of the reference and gives its phase φ(n);
/// the model is
/// <code>
///   b(φ)   = [cos φ, sin φ, cos 2φ, sin 2φ, …, cos Kφ, sin Kφ]ᵀ
///   z(n)   = wᵀ (Ŝ * b)(n)              regressor: the basis as heard through the secondary path
///   y(n+D) = wᵀ b(φ̂(n+D))              output: the basis at the phase extrapolated across the loop delay
/// </code>
/// and <see cref="RlsCore"/> fits w to the target. Because the basis is phase-locked to the noise, w varies only
/// as slowly as the harmonics' amplitudes and the paths' responses at kf0 — and the basis carries none of the
/// reference's broadband floor, so the model adds no noise of its own. With the PLL's frequency and slope, the
/// extrapolation across D follows sweeps (engine run-ups) that a fixed linear predictor cannot.
/// Cost: 2 sin/cos and K complex products per sample, 2K FIRs of |Ŝ| taps, one RLS update of M = 2K.
/// (Kuo &amp; Morgan, "Active Noise Control Systems", 1996, ch. 4: narrowband ANC with a synthesised reference.)
/// </summary>
public sealed class HarmonicCanceller
{
    private readonly int _harmonics;      // K
    private readonly HarmonicTracker _tracker;
    private readonly RlsCore _rls;
    private readonly FirFilter[]? _secondary; // Ŝ per basis function (antinoise), null in clean mode
    private readonly double[] _g;         // regressor (Ŝ * b)(n)
    private readonly double[] _basis;     // scratch basis
    private readonly int _ahead;          // samples of extrapolation for the output
    private int _acquisitions;            // tracker acquisitions seen (a new lock resets the weights)

    public HarmonicCanceller(int sampleRate, int harmonics, double lambda, float[]? secondaryPath, int ahead)
    {
        _harmonics = harmonics;
        _tracker = new HarmonicTracker(sampleRate);
        _rls = new RlsCore(2 * harmonics, lambda);
        _secondary = secondaryPath is null ? null : Enumerable.Range(0, 2 * harmonics).Select(_ => new FirFilter(secondaryPath)).ToArray();
        _g = new double[2 * harmonics];
        _basis = new double[2 * harmonics];
        _ahead = ahead;
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
        }
        if (_tracker.Locked) Basis(_tracker.Phase, _basis);
        else Array.Clear(_basis);
        if (_secondary is null)
        {
            _basis.CopyTo(_g, 0);
            return;
        }
        for (var i = 0; i < _g.Length; i++) _g[i] = _secondary[i].Process((float)_basis[i]);
    }

    private void Basis(double phase, Span<double> destination)
    {
        var (s1, c1) = Math.SinCos(phase);
        double c = c1, s = s1;
        for (var k = 0; k < _harmonics; k++)
        {
            destination[2 * k] = c;
            destination[2 * k + 1] = s;
            (c, s) = (c * c1 - s * s1, s * c1 + c * s1); // e^{j(k+1)φ} = e^{jkφ} e^{jφ}
        }
    }

    public float Predict() => _tracker.Locked ? (float)_rls.Predict(_g) : 0f;

    public void Update(float error)
    {
        if (_tracker.Locked) _rls.Update(_g, error);
    }

    /// <summary>y(n + D): the model at the extrapolated phase.</summary>
    public float Output()
    {
        if (!_tracker.Locked) return 0f;
        Span<double> basis = stackalloc double[2 * _harmonics];
        Basis(_tracker.PhaseAhead(_ahead), basis);
        return (float)_rls.Predict(basis);
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
        if (_secondary is not null) foreach (var fir in _secondary) fir.Clear();
    }

    public int StateLength => _rls.StateLength + HarmonicTracker.StateLength + (_secondary?.Sum(f => f.Length) ?? 0);

    public void SaveState(Span<float> destination)
    {
        _rls.SaveState(destination[.._rls.StateLength]);
        var rest = destination[_rls.StateLength..];
        _tracker.SaveState(rest[..HarmonicTracker.StateLength]);
        rest = rest[HarmonicTracker.StateLength..];
        if (_secondary is null) return;
        foreach (var fir in _secondary)
        {
            fir.History.CopyTo(rest);
            rest = rest[fir.Length..];
        }
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        _rls.LoadState(source[.._rls.StateLength]);
        var rest = source[_rls.StateLength..];
        _tracker.LoadState(rest[..HarmonicTracker.StateLength]);
        rest = rest[HarmonicTracker.StateLength..];
        _acquisitions = _tracker.Acquisitions; // a restored lock keeps its weights
        if (_secondary is null) return;
        foreach (var fir in _secondary)
        {
            fir.LoadHistory(rest[..fir.Length]);
            rest = rest[fir.Length..];
        }
    }
}
