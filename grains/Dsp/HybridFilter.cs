namespace AncOrleans.Dsp;

/// <summary>
/// Hybrid NLMS+RLS: a convex combination of a fast sparse RLS filter and a long NLMS filter, each adapting on
/// its own error, mixed by a parameter λ that is itself adapted to minimise the combined error
/// (Arenas-García, Figueiras-Vidal &amp; Sayed, "Mean-square performance of a convex combination of two
/// adaptive filters", IEEE TSP 54(3), 2006; normalised mixing rule of Azpicueta-Ruiz et al., 2008):
/// <code>
///   z      = λ z_rls + (1−λ) z_nlms,       λ = sgm(a)
///   e      = t − z
///   p     ← β p + (1−β) (z_rls − z_nlms)²
///   a     ← clip(a + μ_a/(p+ε) · e (z_rls − z_nlms) λ(1−λ), −a⁺, a⁺)
/// </code>
/// The combination converges like RLS and settles like NLMS. On top of that, while RLS is winning, its
/// weights (which live on a subset of NLMS's taps) are handed over to NLMS a little every block
/// (coefficient transfer, as in Arenas-García et al., "Combination of adaptive filters with coefficients
/// feedback", ICASSP 2007): w_nlms ← w_nlms + γ λ (w_rls − w_nlms). NLMS then starts its slow refinement from
/// the RLS solution instead of from zero, so the long filter does not pay its own convergence time.
/// </summary>
public sealed class HybridFilter : AdaptiveFilter
{
    private const float MixLimit = 4f;        // a⁺: λ ∈ [sgm(−4), sgm(4)] before the snap below
    private const float PowerSmoothing = 0.99f; // β
    private readonly SparseRls _rls;
    private readonly Nlms _nlms;
    private readonly float _mixStep;          // μ_a
    private readonly int _transferEvery;      // samples between coefficient transfers
    private readonly float _transferRate;     // γ
    private readonly float[] _transfer;       // scratch: L-tap transfer vector
    private float _a;                         // mixing state a
    private float _p = 1e-6f;                 // power of z_rls − z_nlms
    private float _zRls, _zNlms;              // last predictions, kept from Predict for Update
    private int _sinceTransfer;

    public HybridFilter(SparseRls rls, Nlms nlms, float mixStep, int transferEvery, float transferRate) : base(nlms.Length)
    {
        if (rls.Length != nlms.Length) throw new ArgumentException("Both filters must see the same window length.");
        _rls = rls;
        _nlms = nlms;
        _mixStep = mixStep;
        _transferEvery = Math.Max(1, transferEvery);
        _transferRate = transferRate;
        _transfer = new float[nlms.Length];
        _a = MixLimit; // start trusting the fast filter
    }

    public override string Name => "hybrid";

    /// <summary>Current mixing weight λ of the RLS branch.</summary>
    public float Mix => Lambda(_a);

    private static float Lambda(float a) =>
        a >= MixLimit - 1e-3f ? 1f : a <= -MixLimit + 1e-3f ? 0f : 1f / (1f + MathF.Exp(-a));

    public override float Predict(ReadOnlySpan<float> u)
    {
        _zRls = _rls.Predict(u);
        _zNlms = _nlms.Predict(u);
        var lambda = Lambda(_a);
        return lambda * _zRls + (1 - lambda) * _zNlms;
    }

    public override void Update(ReadOnlySpan<float> u, float error)
    {
        if (!float.IsFinite(error)) return;
        var lambda = Lambda(_a);
        var combined = lambda * _zRls + (1 - lambda) * _zNlms;
        var target = error + combined;
        _rls.Update(u, target - _zRls);
        _nlms.Update(u, target - _zNlms);

        var difference = _zRls - _zNlms;
        _p = PowerSmoothing * _p + (1 - PowerSmoothing) * difference * difference;
        var sigmoid = 1f / (1f + MathF.Exp(-_a));
        var step = _mixStep / (_p + 1e-12f) * error * difference * sigmoid * (1 - sigmoid);
        if (float.IsFinite(step)) _a = Math.Clamp(_a + step, -MixLimit, MixLimit);

        if (++_sinceTransfer >= _transferEvery)
        {
            _sinceTransfer = 0;
            TransferCoefficients(lambda);
        }
    }

    private void TransferCoefficients(float lambda)
    {
        if (lambda <= 0.5f || _transferRate <= 0) return;
        // w_nlms ← w_nlms + γλ (w_rls − w_nlms)
        _rls.ExpandWeights(_transfer);
        var scale = _transferRate * lambda;
        var weights = _nlms.Weights;
        for (var i = 0; i < _transfer.Length; i++) _transfer[i] = scale * (_transfer[i] - weights[i]);
        _nlms.Nudge(_transfer);
    }

    public override float Output(ReadOnlySpan<float> v)
    {
        var lambda = Lambda(_a);
        if (lambda >= 1f) return _rls.Output(v);
        if (lambda <= 0f) return _nlms.Output(v);
        return lambda * _rls.Output(v) + (1 - lambda) * _nlms.Output(v);
    }

    public override bool IsHealthy => _rls.IsHealthy && _nlms.IsHealthy && float.IsFinite(_a);

    public override void Reset()
    {
        _rls.Reset();
        _nlms.Reset();
        _a = MixLimit;
        _p = 1e-6f;
    }

    public override int StateLength => 2 + _rls.StateLength + _nlms.StateLength;

    public override void SaveState(Span<float> destination)
    {
        destination[0] = _a;
        destination[1] = _p;
        _rls.SaveState(destination.Slice(2, _rls.StateLength));
        _nlms.SaveState(destination.Slice(2 + _rls.StateLength, _nlms.StateLength));
    }

    public override void LoadState(ReadOnlySpan<float> source)
    {
        CheckStateLength(source.Length);
        _a = float.IsFinite(source[0]) ? Math.Clamp(source[0], -MixLimit, MixLimit) : MixLimit;
        _p = float.IsFinite(source[1]) && source[1] > 0 ? source[1] : 1e-6f;
        _rls.LoadState(source.Slice(2, _rls.StateLength));
        _nlms.LoadState(source.Slice(2 + _rls.StateLength, _nlms.StateLength));
    }
}
