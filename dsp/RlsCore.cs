namespace AncOrleans.Dsp;

/// <summary>
/// Exponentially weighted recursive least squares on a short regressor g (Haykin, "Adaptive Filter Theory",
/// 5th ed., §10.3):
/// <code>
///   π  = P g                    (P ≈ R_λ⁻¹, symmetric)
///   k  = π / (λ + gᵀπ)          gain
///   w ← w + k e                 e = t − wᵀg, a priori
///   P ← (P − k πᵀ) / λ
/// </code>
/// O(M²) per update, so it is kept short (M = 2K weights of a harmonic model). Numerical guards (Haykin §13):
/// double precision; P exactly symmetric (the upper triangle is updated and mirrored);
/// a tiny diagonal load q per update (P ← P + qI), so round-off amplified by 1/λ cannot make P indefinite;
/// P re-set to a scaled identity if a diagonal entry stops being positive or the trace passes its bound (a
/// direction the input stops exciting cannot wind P up past it); weights reset if not finite.
/// </summary>
public sealed class RlsCore
{
    private readonly int _m;          // M, weights
    private double _lambda;           // forgetting factor λ
    private readonly double[] _w;     // weights w
    private readonly double[] _p;     // P, M×M row-major
    private readonly double[] _pi;    // scratch: P g
    private double _traceLimit;       // guard on tr(P)
    private bool _initialised;        // P holds δ⁻¹I scaled to the input
    private double _q;                // diagonal loading added to P per update
    private double _lastTrace;        // tr(P) after the last healthy update

    /// <summary>λ; may change between updates (a retune keeps w and P).</summary>
    public double Lambda
    {
        get => _lambda;
        set => _lambda = value > 0.9 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "λ must be in (0.9, 1].");
    }

    public RlsCore(int size, double lambda)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(lambda > 0.9 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in (0.9, 1].");
        _m = size;
        _lambda = lambda;
        _w = new double[size];
        _p = new double[size * size];
        _pi = new double[size];
    }

    public int Size => _m;

    public ReadOnlySpan<double> Weights => _w;

    /// <summary>Times the P guard re-initialised P.</summary>
    public int GuardResets { get; private set; }

    public double Predict(ReadOnlySpan<double> g)
    {
        double sum = 0;
        for (var i = 0; i < _m; i++) sum += _w[i] * g[i];
        return sum;
    }

    public void Update(ReadOnlySpan<double> g, double error)
    {
        if (!double.IsFinite(error)) return;
        double energy = 0;
        for (var i = 0; i < _m; i++) energy += g[i] * g[i];
        if (!double.IsFinite(energy)) return;
        if (!_initialised)
        {
            if (energy <= 0) return;
            InitialiseP(energy / _m);
        }

        double gPg = 0;
        for (var i = 0; i < _m; i++)
        {
            double sum = 0;
            var row = i * _m;
            for (var j = 0; j < _m; j++) sum += _p[row + j] * g[j];
            _pi[i] = sum;
            gPg += g[i] * sum;
        }
        var denominator = _lambda + gPg;
        if (!(denominator > 0) || !double.IsFinite(denominator))
        {
            GuardResets++;
            InitialiseP(energy / _m);
            return;
        }

        var gainScale = error / denominator;
        for (var i = 0; i < _m; i++) _w[i] += _pi[i] * gainScale;

        var invLambda = 1.0 / _lambda;
        var invDen = 1.0 / denominator;
        double trace = 0;
        var healthy = true;
        for (var i = 0; i < _m; i++)
        {
            var row = i * _m;
            var piScaled = _pi[i] * invDen;
            // Upper triangle, mirrored: (π_i/den)·π_j and (π_j/den)·π_i round differently, and an asymmetric P
            // drifts indefinite under 1/λ within a second of 48 kHz updates.
            for (var j = i; j < _m; j++) _p[j * _m + i] = _p[row + j] = (_p[row + j] - piScaled * _pi[j]) * invLambda;
            _p[row + i] += _q; // P ← P + qI: keeps P positive definite against round-off that 1/λ would amplify
            var diagonal = _p[row + i];
            healthy &= diagonal > 0;
            trace += diagonal;
        }
        if (!healthy || !(trace < _traceLimit))
        {
            // Re-initialise to the scale P had while healthy: a gentle restart, not a jump in the weights.
            GuardResets++;
            var scale = _lastTrace > 0 ? _lastTrace / _m : 0;
            if (scale > 0) SetDiagonal(scale); else InitialiseP(Math.Max(energy / _m, 1e-12));
        }
        else _lastTrace = trace;
        foreach (var value in _w)
            if (!double.IsFinite(value)) { Reset(); return; }
    }

    private void InitialiseP(double power)
    {
        var scale = 1.0 / (1e-2 * Math.Max(power, 1e-12));
        SetDiagonal(scale);
        _traceLimit = 1e4 * _m * scale;
        // q: 10⁻⁶ of the steady-state P of a well-excited input (≈ (1−λ)/σ²), i.e. a random-walk state model
        // far too small to change the fit (Haykin §10.7), large enough that round-off cannot turn P indefinite.
        _q = 1e-6 * Math.Max(1 - _lambda, 1e-4) / Math.Max(power, 1e-12);
        _lastTrace = 0;
        _initialised = true;
    }

    private void SetDiagonal(double scale)
    {
        Array.Clear(_p);
        for (var i = 0; i < _m; i++) _p[i * _m + i] = scale;
    }

    public void Reset()
    {
        Array.Clear(_w);
        Array.Clear(_p);
        _initialised = false;
    }

    /// <summary>initialised flag, trace limit, q, last trace, w (M), P (M²).</summary>
    public int StateLength => 4 + _m + _m * _m;

    public void SaveState(Span<float> destination)
    {
        destination[0] = _initialised ? 1 : 0;
        destination[1] = (float)_traceLimit;
        destination[2] = (float)_q;
        destination[3] = (float)_lastTrace;
        destination = destination[2..];
        for (var i = 0; i < _m; i++) destination[2 + i] = (float)_w[i];
        for (var i = 0; i < _p.Length; i++) destination[2 + _m + i] = (float)_p[i];
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        _initialised = source[0] != 0;
        _traceLimit = source[1];
        _q = source[2];
        _lastTrace = source[3];
        source = source[2..];
        for (var i = 0; i < _m; i++) _w[i] = source[2 + i];
        for (var i = 0; i < _p.Length; i++) _p[i] = source[2 + _m + i];
        for (var i = 0; i < _m; i++) // float storage may round P_ij and P_ji apart: re-symmetrise
            for (var j = i + 1; j < _m; j++)
            {
                var mean = 0.5 * (_p[i * _m + j] + _p[j * _m + i]);
                _p[i * _m + j] = mean;
                _p[j * _m + i] = mean;
            }
    }
}
