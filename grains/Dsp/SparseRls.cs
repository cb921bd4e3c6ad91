namespace AncOrleans.Dsp;

/// <summary>
/// Exponentially weighted recursive least squares (Haykin, "Adaptive Filter Theory", 5th ed., §10.3) on a
/// short, sparse tap set: M taps spaced S samples apart (ages 0, S, 2S … (M−1)S), so the M weights span the
/// same L samples as the long NLMS filter and every RLS solution is also an NLMS solution.
/// <code>
///   g(n) = [u(n), u(n−S), …, u(n−(M−1)S)]ᵀ      gathered regressor
///   π    = P g                                   (P ≈ R_λ⁻¹, symmetric)
///   k    = π / (λ + gᵀπ)                         gain
///   w   ← w + k e(n)                             e(n) = t(n) − wᵀg a priori
///   P   ← (P − k πᵀ) / λ
/// </code>
/// O(M²) per update, so RLS earns its cost only when short: M = 32 at 48 kHz, adapted on every K-th sample
/// (decimated adaptation; the output still runs at full rate). Tonal noise — hum, engines, fans — is a
/// low-rank signal that 2K weights predict across the loop delay D, and RLS converges in a few times M
/// updates whatever the eigenvalue spread, where NLMS needs many time constants.
/// Numerical guards (Haykin §13): P is kept exactly symmetric (the rank-one update is formed from the same
/// product for P_ij and P_ji), runs in double precision, and is reset to δ⁻¹I when its trace leaves the
/// bound or a diagonal entry stops being positive; weights are reset if they stop being finite.
/// </summary>
public sealed class SparseRls : AdaptiveFilter
{
    private readonly int _taps;         // M
    private readonly int _spacing;      // S, samples between taps
    private readonly double _lambda;    // forgetting factor λ
    private readonly int _updateEvery;  // K, decimation of the adaptation
    private readonly double[] _w;       // weights w (M)
    private readonly double[] _p;       // inverse correlation P (M×M, row-major)
    private readonly double[] _g;       // scratch: gathered regressor g
    private readonly double[] _pi;      // scratch: P g
    private double _traceLimit;         // guard on tr(P), set from the input power at (re)initialisation
    private bool _initialised;          // P holds δ⁻¹I scaled to the input
    private int _phase;                 // samples since the last update

    public SparseRls(int length, int taps, int spacing, double lambda, int updateEvery) : base(length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(taps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(spacing, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(updateEvery, 1);
        if ((taps - 1) * spacing >= length)
            throw new ArgumentException($"RLS taps span {(taps - 1) * spacing + 1} samples, more than the window L = {length}.");
        if (!(lambda > 0.9 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in (0.9, 1].");
        _taps = taps;
        _spacing = spacing;
        _lambda = lambda;
        _updateEvery = updateEvery;
        _w = new double[taps];
        _p = new double[taps * taps];
        _g = new double[taps];
        _pi = new double[taps];
    }

    public override string Name => "rls";

    public int Taps => _taps;

    public int Spacing => _spacing;

    /// <summary>Resets counted by the P guard (for stats and tests).</summary>
    public int GuardResets { get; private set; }

    public override float Predict(ReadOnlySpan<float> u) => (float)Dot(u);

    public override float Output(ReadOnlySpan<float> v) => (float)Dot(v);

    private double Dot(ReadOnlySpan<float> window)
    {
        double sum = 0;
        var newest = window.Length - 1;
        for (var k = 0; k < _taps; k++) sum += _w[k] * window[newest - k * _spacing];
        return sum;
    }

    public override void Update(ReadOnlySpan<float> u, float error)
    {
        if (!double.IsFinite(error)) return;
        if (++_phase < _updateEvery) return;
        _phase = 0;

        var m = _taps;
        var newest = u.Length - 1;
        double energy = 0;
        for (var k = 0; k < m; k++)
        {
            var value = u[newest - k * _spacing];
            _g[k] = value;
            energy += value * value;
        }
        if (!_initialised)
        {
            if (energy <= 0) return; // nothing to learn from yet
            InitialiseP(energy / m);
        }

        // π = P g,  gᵀπ
        double gPg = 0;
        for (var i = 0; i < m; i++)
        {
            double sum = 0;
            var row = i * m;
            for (var j = 0; j < m; j++) sum += _p[row + j] * _g[j];
            _pi[i] = sum;
            gPg += _g[i] * sum;
        }
        var denominator = _lambda + gPg;
        if (!(denominator > 0) || !double.IsFinite(denominator))
        {
            InitialiseP(energy / m);
            return;
        }

        // w ← w + k e,  k = π / (λ + gᵀπ)
        var gainScale = error / denominator;
        for (var i = 0; i < m; i++) _w[i] += _pi[i] * gainScale;

        // P ← (P − π πᵀ / den) / λ   (symmetric by construction), with the trace guard
        var invLambda = 1.0 / _lambda;
        var invDen = 1.0 / denominator;
        double trace = 0;
        var healthy = true;
        for (var i = 0; i < m; i++)
        {
            var row = i * m;
            var piScaled = _pi[i] * invDen;
            for (var j = 0; j < m; j++) _p[row + j] = (_p[row + j] - piScaled * _pi[j]) * invLambda;
            var diagonal = _p[row + i];
            healthy &= diagonal > 0;
            trace += diagonal;
        }
        if (!healthy || !(trace < _traceLimit))
        {
            GuardResets++;
            InitialiseP(energy / m);
        }
        if (!IsHealthy) Reset();
    }

    private void InitialiseP(double power)
    {
        // P(0) = δ⁻¹ I with δ = 10⁻²·σ²: a mild prior that the first few updates overwhelm.
        var scale = 1.0 / (1e-2 * Math.Max(power, 1e-12));
        Array.Clear(_p);
        for (var i = 0; i < _taps; i++) _p[i * _taps + i] = scale;
        _traceLimit = 1e6 * _taps * scale;
        _initialised = true;
    }

    /// <summary>Writes the RLS weights into an L-tap weight vector (window-aligned, as <see cref="Nlms"/> holds them).</summary>
    public void ExpandWeights(Span<float> destination)
    {
        destination.Clear();
        var newest = destination.Length - 1;
        for (var k = 0; k < _taps; k++) destination[newest - k * _spacing] = (float)_w[k];
    }

    public override bool IsHealthy
    {
        get
        {
            foreach (var value in _w) if (!double.IsFinite(value)) return false;
            return true;
        }
    }

    public override void Reset()
    {
        Array.Clear(_w);
        Array.Clear(_p);
        _initialised = false;
        _phase = 0;
    }

    // State: initialised flag, trace limit, w (M), P (M²).
    public override int StateLength => 2 + _taps + _taps * _taps;

    public override void SaveState(Span<float> destination)
    {
        destination[0] = _initialised ? 1 : 0;
        destination[1] = (float)_traceLimit;
        for (var i = 0; i < _taps; i++) destination[2 + i] = (float)_w[i];
        for (var i = 0; i < _p.Length; i++) destination[2 + _taps + i] = (float)_p[i];
    }

    public override void LoadState(ReadOnlySpan<float> source)
    {
        CheckStateLength(source.Length);
        _initialised = source[0] != 0;
        _traceLimit = source[1];
        for (var i = 0; i < _taps; i++) _w[i] = source[2 + i];
        for (var i = 0; i < _p.Length; i++) _p[i] = source[2 + _taps + i];
        // Re-symmetrise: float rounding on the way through storage must not break P's symmetry.
        for (var i = 0; i < _taps; i++)
            for (var j = i + 1; j < _taps; j++)
            {
                var mean = 0.5 * (_p[i * _taps + j] + _p[j * _taps + i]);
                _p[i * _taps + j] = mean;
                _p[j * _taps + i] = mean;
            }
        if (!IsHealthy) Reset();
    }
}
