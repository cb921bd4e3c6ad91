using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
/// Vectorised: P is kept in rows padded to whole SIMD vectors; π = P g is formed as Σ_j g_j P_j· (P symmetric, so rows
/// serve as columns: no horizontal sums), and P is updated a whole row at a time as P_ij ← P_ij/λ − q_i q_j with
/// q = π/√(den λ) (one multiply and one fused multiply-add per entry) — q_i q_j and q_j q_i are the same product, so P stays
/// exactly symmetric without the mirror copy. O(M²/lanes) per update.
/// </summary>
public sealed class RlsCore
{
    private readonly int _m;          // M, weights
    private readonly int _stride;     // M rounded up to whole vectors: the row pitch of P and the length of the scratch
    private double _lambda;           // forgetting factor λ
    private readonly double[] _w;     // weights w (M), zero-padded to _stride
    private readonly double[] _p;     // P, M rows of _stride, padding zero
    private readonly double[] _g;     // scratch: g, zero-padded to _stride
    private readonly double[] _pi;    // scratch: P g (stride)
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

    /// <param name="size">M, the number of weights.</param>
    /// <param name="lambda">λ.</param>
    /// <param name="stateOrder">Where each weight of the saved state sits in this instance's own order (saved index s is
    /// weight stateOrder[s]): lets a caller keep its regressor in whatever order suits its arithmetic while checkpoints
    /// keep one layout. Null: the same order.</param>
    public RlsCore(int size, double lambda, int[]? stateOrder = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        if (!(lambda > 0.9 && lambda <= 1)) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be in (0.9, 1].");
        _m = size;
        var lanes = Math.Max(Vector<double>.Count, 8); // whole Vector<double> and Vector512<double> rows
        _stride = (size + lanes - 1) / lanes * lanes;
        _lambda = lambda;
        _w = SessionArray.Of<double>(_stride);
        _p = SessionArray.Of<double>(size * _stride);
        _g = SessionArray.Of<double>(_stride);
        _pi = SessionArray.Of<double>(_stride);
        if (stateOrder is not null && (stateOrder.Length != size || stateOrder.Distinct().Count() != size || stateOrder.Any(i => i < 0 || i >= size)))
            throw new ArgumentException($"stateOrder must be a permutation of 0…{size - 1}.", nameof(stateOrder));
        _order = stateOrder ?? Enumerable.Range(0, size).ToArray();
    }

    private readonly int[] _order; // saved index → own index

    public int Size => _m;

    public ReadOnlySpan<double> Weights => _w.AsSpan(0, _m);

    /// <summary>Changes whenever the weights may have changed (an update, a reset, a load): lets callers cache products of w.</summary>
    public int Version { get; private set; }

    /// <summary>Times the P guard re-initialised P.</summary>
    public int GuardResets { get; private set; }

    public double Predict(ReadOnlySpan<double> g)
    {
        double sum = 0;
        for (var i = 0; i < _m; i++) sum += _w[i] * g[i];
        return sum;
    }

    /// <summary>
    /// The regressor g (M) the next <see cref="UpdateRegressor"/> adapts on: a caller that forms g anyway writes it here,
    /// which saves the copy <see cref="Update"/> makes. Its zero padding must stay zero, so only these M are exposed.
    /// </summary>
    public Span<double> Regressor => _g.AsSpan(0, _m);

    public void Update(ReadOnlySpan<double> g, double error)
    {
        if (!double.IsFinite(error)) return;
        g[.._m].CopyTo(_g);
        UpdateRegressor(error);
    }

    /// <summary>One update on the regressor written into <see cref="Regressor"/>.</summary>
    public void UpdateRegressor(double error)
    {
        if (!double.IsFinite(error)) return;
        var energy = Dot(_g, _g); // the padding is zero
        if (!double.IsFinite(energy)) return;
        if (!_initialised)
        {
            if (energy <= 0) return;
            InitialiseP(energy / _m);
        }

        var gPg = Vector512.IsHardwareAccelerated && _stride % 8 == 0 ? Gain512() : Gain();
        var denominator = _lambda + gPg;
        if (!(denominator > 0) || !double.IsFinite(denominator))
        {
            GuardResets++;
            InitialiseP(energy / _m);
            return;
        }

        // w ← w + π e/den over whole vectors (π's padding is zero, so w's stays zero); w − w is 0 unless w is not finite.
        var gainScale = new Vector<double>(error / denominator);
        var finite = Vector<double>.Zero;
        var weights = MemoryMarshal.Cast<double, Vector<double>>(_w.AsSpan());
        var pi = MemoryMarshal.Cast<double, Vector<double>>(_pi.AsSpan());
        for (var c = 0; c < weights.Length; c++)
        {
            var w = weights[c] + pi[c] * gainScale;
            weights[c] = w;
            finite += w - w;
        }
        Version++;

        if (Vector512.IsHardwareAccelerated && _stride % 8 == 0) Downdate512(1.0 / denominator); else Downdate(1.0 / denominator);
        var (trace, healthy) = LoadDiagonal();
        if (!healthy || !(trace < _traceLimit))
        {
            // Re-initialise to the scale P had while healthy: a gentle restart, not a jump in the weights.
            GuardResets++;
            var scale = _lastTrace > 0 ? _lastTrace / _m : 0;
            if (scale > 0) SetDiagonal(scale); else InitialiseP(Math.Max(energy / _m, 1e-12));
        }
        else _lastTrace = trace;
        if (Vector.Sum(finite) != 0) Reset();
    }

    // P ← P + qI (keeps P positive definite against round-off that 1/λ would amplify); tr P, and whether every diagonal entry is > 0.
    private (double Trace, bool Healthy) LoadDiagonal()
    {
        ref var diagonal = ref MemoryMarshal.GetArrayDataReference(_p); // P_00, then P_ii every stride + 1
        var step = _stride + 1;
        var q = _q;
        double trace = 0, trace2 = 0; // two partial sums: half the dependency chain
        var healthy = true;
        var i = 0;
        for (; i + 1 < _m; i += 2, diagonal = ref Unsafe.Add(ref diagonal, 2 * step))
        {
            ref var next = ref Unsafe.Add(ref diagonal, step);
            var d0 = diagonal + q;
            var d1 = next + q;
            diagonal = d0;
            next = d1;
            healthy &= d0 > 0 & d1 > 0;
            trace += d0;
            trace2 += d1;
        }
        if (i < _m)
        {
            var d0 = diagonal + q;
            diagonal = d0;
            healthy &= d0 > 0;
            trace += d0;
        }
        return (trace + trace2, healthy);
    }

    // Σ a_i b_i over whole vectors.
    private static double Dot(double[] a, double[] b)
    {
        var va = MemoryMarshal.Cast<double, Vector<double>>(a.AsSpan());
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b.AsSpan());
        var sum = Vector<double>.Zero;
        for (var c = 0; c < va.Length; c++) sum += va[c] * vb[c];
        return Vector.Sum(sum);
    }

    // π = P g = Σ_j g_j P_j· (P symmetric: its rows are its columns); returns gᵀπ.
    private double Gain()
    {
        var vectors = _stride / Vector<double>.Count;
        ref var p0 = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_p));
        ref var pi0 = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_pi));
        ref var g0 = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_g));
        for (var c = 0; c < vectors; c++) Unsafe.Add(ref pi0, c) = Vector<double>.Zero;
        for (var j = 0; j < _m; j++)
        {
            var gj = new Vector<double>(_g[j]);
            ref var row = ref Unsafe.Add(ref p0, j * vectors);
            for (var c = 0; c < vectors; c++) Unsafe.Add(ref pi0, c) += gj * Unsafe.Add(ref row, c);
        }
        var sum = Vector<double>.Zero;
        for (var c = 0; c < vectors; c++) sum += Unsafe.Add(ref pi0, c) * Unsafe.Add(ref g0, c);
        return Vector.Sum(sum);
    }

    private double Gain512()
    {
        var vectors = _stride / 8;
        ref var p0 = ref MemoryMarshal.GetArrayDataReference(_p);
        ref var pi0 = ref MemoryMarshal.GetArrayDataReference(_pi);
        ref var g0 = ref MemoryMarshal.GetArrayDataReference(_g);
        if (vectors == 2)
        {
            // Two accumulators per half (even and odd j): half the dependency chain of the sum.
            Vector512<double> a = default, b = default, a2 = default, b2 = default;
            var j = 0;
            for (; j + 1 < _m; j += 2)
            {
                var gj = Vector512.Create(_g[j]);
                var gk = Vector512.Create(_g[j + 1]);
                a = Vector512.FusedMultiplyAdd(gj, Vector512.LoadUnsafe(ref p0, (nuint)(j * 16)), a);
                b = Vector512.FusedMultiplyAdd(gj, Vector512.LoadUnsafe(ref p0, (nuint)(j * 16 + 8)), b);
                a2 = Vector512.FusedMultiplyAdd(gk, Vector512.LoadUnsafe(ref p0, (nuint)(j * 16 + 16)), a2);
                b2 = Vector512.FusedMultiplyAdd(gk, Vector512.LoadUnsafe(ref p0, (nuint)(j * 16 + 24)), b2);
            }
            if (j < _m)
            {
                var gj = Vector512.Create(_g[j]);
                a += gj * Vector512.LoadUnsafe(ref p0, (nuint)(j * 16));
                b += gj * Vector512.LoadUnsafe(ref p0, (nuint)(j * 16 + 8));
            }
            a += a2;
            b += b2;
            a.StoreUnsafe(ref pi0);
            b.StoreUnsafe(ref pi0, 8);
            return Vector512.Sum(a * Vector512.LoadUnsafe(ref g0) + b * Vector512.LoadUnsafe(ref g0, 8));
        }
        for (var c = 0; c < vectors; c++)
        {
            var acc = Vector512<double>.Zero;
            for (var j = 0; j < _m; j++) acc += Vector512.Create(_g[j]) * Vector512.LoadUnsafe(ref p0, (nuint)(j * _stride + 8 * c));
            acc.StoreUnsafe(ref pi0, (nuint)(8 * c));
        }
        var sum = Vector512<double>.Zero;
        for (var c = 0; c < vectors; c++) sum += Vector512.LoadUnsafe(ref pi0, (nuint)(8 * c)) * Vector512.LoadUnsafe(ref g0, (nuint)(8 * c));
        return Vector512.Sum(sum);
    }

    // P_i· ← (P_i· − (π_i π)/den)/λ = P_i·/λ − q_i q,  q = π √(1/(den λ)), a row at a time: q_i q_j = q_j q_i exactly
    // (and a fused multiply-add is symmetric in its two factors), so P stays symmetric. One multiply and one FMA per entry.
    private void Downdate(double invDen)
    {
        var vectors = _stride / Vector<double>.Count;
        ref var p0 = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_p));
        ref var pi0 = ref Unsafe.As<double, Vector<double>>(ref MemoryMarshal.GetArrayDataReference(_pi));
        var invLambda = 1.0 / _lambda;
        var root = new Vector<double>(Math.Sqrt(invDen * invLambda));
        for (var c = 0; c < vectors; c++) Unsafe.Add(ref pi0, c) *= root; // π → q
        var scale = new Vector<double>(invLambda);
        for (var i = 0; i < _m; i++)
        {
            var qi = new Vector<double>(-_pi[i]);
            ref var row = ref Unsafe.Add(ref p0, i * vectors);
            for (var c = 0; c < vectors; c++)
                Unsafe.Add(ref row, c) = Vector.FusedMultiplyAdd(qi, Unsafe.Add(ref pi0, c), Unsafe.Add(ref row, c) * scale);
        }
    }

    private void Downdate512(double invDen)
    {
        ref var p0 = ref MemoryMarshal.GetArrayDataReference(_p);
        ref var pi0 = ref MemoryMarshal.GetArrayDataReference(_pi);
        var invLambda = 1.0 / _lambda;
        var root = Vector512.Create(Math.Sqrt(invDen * invLambda));
        for (var c = 0; c < _stride; c += 8) (Vector512.LoadUnsafe(ref pi0, (nuint)c) * root).StoreUnsafe(ref pi0, (nuint)c); // π → q
        var scale = Vector512.Create(invLambda);
        if (_stride == 16)
        {
            Vector512<double> q0 = Vector512.LoadUnsafe(ref pi0), q1 = Vector512.LoadUnsafe(ref pi0, 8);
            for (var i = 0; i < _m; i++)
            {
                var qi = Vector512.Create(-_pi[i]);
                var at = (nuint)(i * 16);
                Vector512.FusedMultiplyAdd(qi, q0, Vector512.LoadUnsafe(ref p0, at) * scale).StoreUnsafe(ref p0, at);
                Vector512.FusedMultiplyAdd(qi, q1, Vector512.LoadUnsafe(ref p0, at + 8) * scale).StoreUnsafe(ref p0, at + 8);
            }
            return;
        }
        for (var i = 0; i < _m; i++)
        {
            var qi = Vector512.Create(-_pi[i]);
            for (var c = 0; c < _stride; c += 8)
            {
                var at = (nuint)(i * _stride + c);
                Vector512.FusedMultiplyAdd(qi, Vector512.LoadUnsafe(ref pi0, (nuint)c), Vector512.LoadUnsafe(ref p0, at) * scale).StoreUnsafe(ref p0, at);
            }
        }
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
        for (var i = 0; i < _m; i++) _p[i * _stride + i] = scale;
    }

    public void Reset()
    {
        Array.Clear(_w);
        Array.Clear(_p);
        _initialised = false;
        Version++;
    }

    /// <summary>initialised flag, trace limit, q, last trace, w (M), P (M², row-major), weights in the saved order (see the constructor's stateOrder).</summary>
    public int StateLength => 4 + _m + _m * _m;

    public void SaveState(Span<float> destination)
    {
        destination[0] = _initialised ? 1 : 0;
        destination[1] = (float)_traceLimit;
        destination[2] = (float)_q;
        destination[3] = (float)_lastTrace;
        destination = destination[2..];
        for (var i = 0; i < _m; i++) destination[2 + i] = (float)_w[_order[i]];
        for (var i = 0; i < _m; i++)
            for (var j = 0; j < _m; j++) destination[2 + _m + i * _m + j] = (float)_p[_order[i] * _stride + _order[j]];
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        _initialised = source[0] != 0;
        _traceLimit = source[1];
        _q = source[2];
        _lastTrace = source[3];
        source = source[2..];
        for (var i = 0; i < _m; i++) _w[_order[i]] = source[2 + i];
        Array.Clear(_p);
        for (var i = 0; i < _m; i++)
            for (var j = 0; j < _m; j++) _p[_order[i] * _stride + _order[j]] = source[2 + _m + i * _m + j];
        for (var i = 0; i < _m; i++) // float storage may round P_ij and P_ji apart: re-symmetrise
            for (var j = i + 1; j < _m; j++)
            {
                var mean = 0.5 * (_p[i * _stride + j] + _p[j * _stride + i]);
                _p[i * _stride + j] = mean;
                _p[j * _stride + i] = mean;
            }
        Version++;
    }
}
