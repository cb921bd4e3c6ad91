using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// Normalised least-mean-squares filter (Nagumo &amp; Noda 1967; Widrow &amp; Stearns, "Adaptive Signal
/// Processing", 1985, ch. 6):
/// <code>
///   z(n)   = wᵀ(n) u(n)
///   w(n+1) = w(n) + μ e(n) u(n) / (δ + uᵀ(n) u(n))
/// </code>
/// Long (L = 512 at 48 kHz), cheap per tap, slow on coloured input: it is the part of the hybrid that
/// settles to a low misadjustment (≈ μ/(2−μ) of the minimum MSE). Vectorised with TensorPrimitives; no
/// allocation per sample. δ keeps the step bounded when the reference is silent.
/// </summary>
public sealed class Nlms : AdaptiveFilter
{
    private readonly float[] _w; // weights, aligned with the window (w[L−1] multiplies the newest sample)
    private readonly float _mu;   // step size μ ∈ (0, 2)
    private readonly float _delta; // regulariser δ

    public Nlms(int length, float mu, float delta) : base(length)
    {
        if (!(mu > 0 && mu < 2)) throw new ArgumentOutOfRangeException(nameof(mu), mu, "NLMS needs 0 < μ < 2.");
        if (!(delta > 0)) throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be positive.");
        _w = new float[length];
        _mu = mu;
        _delta = delta;
    }

    public override string Name => "nlms";

    public ReadOnlySpan<float> Weights => _w;

    public override float Predict(ReadOnlySpan<float> u) => TensorPrimitives.Dot(_w, u);

    public override float Output(ReadOnlySpan<float> v) => TensorPrimitives.Dot(_w, v);

    public override void Update(ReadOnlySpan<float> u, float error)
    {
        if (!float.IsFinite(error)) return;
        // w += μ e u / (δ + uᵀu)
        var step = _mu * error / (_delta + TensorPrimitives.SumOfSquares(u));
        if (!float.IsFinite(step)) return;
        TensorPrimitives.MultiplyAdd(u, step, _w, _w);
    }

    /// <summary>Adds <paramref name="delta"/> to the weights (used by the hybrid to hand over what RLS learned).</summary>
    public void Nudge(ReadOnlySpan<float> delta) => TensorPrimitives.Add(_w, delta, _w);

    public override bool IsHealthy => float.IsFinite(TensorPrimitives.Sum(_w));

    public override void Reset() => Array.Clear(_w);

    public override int StateLength => _w.Length;

    public override void SaveState(Span<float> destination) => _w.CopyTo(destination);

    public override void LoadState(ReadOnlySpan<float> source)
    {
        CheckStateLength(source.Length);
        source.CopyTo(_w);
    }
}
