using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AncOrleans.Dsp;

/// <summary>
/// Harmonic (sinusoidal) model of tonal noise whose 2K weights RLS tracks — the tonal branch of the hybrid.
/// A <see cref="HarmonicTracker"/> locks onto the fundamental of the reference and gives its phase ψ(n);
/// the model is
/// <code>
///   b(ψ)   = [cos ψ, sin ψ, cos 2ψ, sin 2ψ, …, cos Kψ, sin Kψ]ᵀ
///   g(n)   = (Ŝ * b)(n) = [Re, Im] of G_k e^{jkψ(n)},  G_k = Ŝ(e^{jkω})   regressor as heard through Ŝ (stored planar, below)
///   z(n)   = wᵀ g(n)
///   y(n+D) = wᵀ b(ψ̂(n+D))                 output: the basis at the phase extrapolated across the loop delay
/// </code>
/// and <see cref="RlsCore"/> fits w, updating every <c>RlsUpdateEvery</c>-th sample with λ per update =
/// λ^RlsUpdateEvery (the same memory in time, a sixth of the O(M²) work at the default 6). Because the basis is phase-locked to
/// the noise, w varies only as slowly as the harmonics' amplitudes and the paths' responses at kf0 — and the
/// basis carries none of the reference's broadband floor, so the model adds no noise of its own. Ŝ is applied
/// as its frequency response at each harmonic (exact for a steady tone, recomputed every 32 samples as f0
/// moves) instead of 2K FIR filters. (Kuo &amp; Morgan, "Active Noise Control Systems", 1996, ch. 4: narrowband ANC
/// with a synthesised reference.)
/// <para>
/// Cost, no trigonometry per sample. With W_k = Re W_k + j Im W_k (w in [Re, Im] pairs; planar inside RLS) and b_k = e^{jkψ}, wᵀ[Re, Im](c_k) = Re(W̄_k c_k),
/// so both products fold into one complex coefficient per harmonic, refreshed only when w, G or the look-ahead change:
/// <code>
///   z(n) = Re Σ_k C_k b_k(n),   C_k = W̄_k G_k                  (every RLS update, every 32 samples)
///   y(n) = Re Σ_k A_k b_k(n),   A_k = W̄_k e^{jkα},  α = ψ̂(n+D) − ψ(n)   (every RLS update, every tracker tick)
///   b_k(n+1) = b_k(n) s_k,      s_k = e^{jkΔψ}                 (all K at once in SIMD; re-anchored at each tick)
///   G_k = Σ_m ŝ(m) u_k^m,       u_k = e^{−jkω}: Horner in Estrin's split, E(u_k²) + u_k O(u_k²) over the even and odd
///                               taps (two chains of |Ŝ|/2 steps); one sincos per recomputation (was K·|Ŝ| = 288)
/// </code>
/// g itself is formed only when RLS updates (every <c>RlsUpdateEvery</c>-th sample), and in antinoise mode so is z, which
/// only the update reads (<see cref="AdaptsNext"/>, <see cref="PredictAlone"/>); y every sample (<see cref="OutputAlone"/>).
/// The basis is re-anchored to the tracker's exact phasor e^{jψ} at every tracker tick (8 samples), by repeated
/// multiplication, so the recursion's round-off never accumulates past 8 steps. Per sample: K complex rotations and one
/// K-long complex dot product (two on update samples). The tracker reads only the reference, so it runs ahead over each
/// segment (<see cref="PushBlock"/>, its state in registers) and <see cref="Advance"/> takes its state sample by sample.
/// </para>
/// <para>
/// Precision and layout. RLS (w, P), G_k and the powers are double; what runs per sample — b_k, s_k, C_k, A_k and the
/// two dot products — is float (K = 8: one 8-lane vector per part, both sums reduced together): the basis is exact
/// again every 8 samples, so float round-off stays near 10⁻⁷ of the output (measured: the output moves by −123 dB
/// of itself, `anc eval` by 0.00 dB). Inside RLS, g and w are planar — Re G_k b_k for all k, then Im — so g and the
/// coefficients are formed and stored as whole vectors; <see cref="RlsCore"/>'s stateOrder keeps checkpoints in
/// [Re, Im] pairs. Whatever a vector load reads next is stored as a vector (scalar stores read back as a vector
/// cannot be forwarded, a stall each), and nothing per sample returns a (float, float) pair, which the JIT packs
/// through memory.
/// </para>
/// </summary>
public sealed class HarmonicCanceller
{
    private const int GainEvery = 32;     // samples between recomputations of G_k
    private readonly int _harmonics;      // K
    private readonly int _lanes;          // K rounded up to whole SIMD vectors
    private readonly int _sampleRate;
    private readonly HarmonicTracker _tracker;
    private readonly RlsCore _rls;
    private readonly float[]? _secondary; // Ŝ taps (antinoise), null in clean mode
    private readonly double[] _gainRe, _gainIm;   // G_k
    private readonly float[] _bRe, _bIm;          // b_k = e^{jkψ(n)}, zero-padded to _lanes (float: re-anchored every 8 samples)
    private readonly float[] _sRe, _sIm;          // s_k = e^{jkΔψ}: the per-sample rotation of b_k
    private readonly double[] _aRe, _aIm;         // e^{jkα}: the look-ahead across D
    private readonly float[] _cRe, _cIm;          // C_k = W̄_k G_k (formed in double, used in float)
    private readonly float[] _oRe, _oIm;          // A_k = W̄_k e^{jkα}
    private readonly double[] _powRe, _powIm;     // scratch: z^k in double before rounding to float
    private readonly double[] _uRe, _uIm, _hornerRe, _hornerIm; // scratch for G_k (u_k and Horner's sums, padded)
    private readonly int _updateEvery;    // RLS decimation
    private readonly bool _planarVectors; // K a whole number of float vectors: g and the coefficients formed in SIMD
    private int _phase;                   // samples since the last RLS update
    private int _sinceGain = GainEvery;   // samples since G_k was computed
    private int _acquisitions;            // tracker acquisitions seen (a new lock resets the weights)
    private int _ticks = -1;              // tracker ticks seen (a tick re-anchors the basis)
    private int _weights = -1;            // RLS weight version C and A were formed from
    private int _coefficients;            // counts recomputations of C and A
    private float _output;                // y(n+D), formed with the coefficients of _outputCoefficients
    private int _outputCoefficients = -1;
    private readonly HarmonicTracker.SampleState[] _states;       // the tracker's state after each sample of the segment
    private readonly HarmonicTracker.TickPhasors[] _tickPhasors; // and each tick's phasors
    private int _cursor;                  // the sample of the segment Advance moves to next
    private bool _locked;                 // the tracker's lock as of the sample the model is at

    /// <summary>Changes λ (per sample) without touching the model's weights.</summary>
    public void SetForgetting(double lambda) => _rls.Lambda = Math.Pow(lambda, _updateEvery);

    /// <param name="maxSegment">The most samples one <see cref="PushBlock"/> takes.</param>
    public HarmonicCanceller(int sampleRate, int harmonics, double lambda, int updateEvery, float[]? secondaryPath, int ahead, int maxSegment = 480)
    {
        _states = SessionArray.Of<HarmonicTracker.SampleState>(Math.Max(1, maxSegment));
        _tickPhasors = SessionArray.Of<HarmonicTracker.TickPhasors>(Math.Max(1, maxSegment));
        _harmonics = harmonics;
        var vector = Vector<float>.Count;
        _lanes = (harmonics + vector - 1) / vector * vector;
        _sampleRate = sampleRate;
        _updateEvery = Math.Max(1, updateEvery);
        _tracker = new HarmonicTracker(sampleRate) { Ahead = ahead };
        // RLS keeps g and w planar (all Re, then all Im: whole vectors on both sides); checkpoints keep [Re, Im] pairs.
        _rls = new RlsCore(2 * harmonics, Math.Pow(lambda, _updateEvery), Enumerable.Range(0, 2 * harmonics).Select(s => s % 2 == 0 ? s / 2 : harmonics + s / 2).ToArray());
        _planarVectors = harmonics % Vector<float>.Count == 0;
        _secondary = secondaryPath;
        _gainRe = SessionArray.Of<double>(harmonics);
        _gainIm = SessionArray.Of<double>(harmonics);
        Array.Fill(_gainRe, 1.0);
        _bRe = SessionArray.Of<float>(_lanes); _bIm = SessionArray.Of<float>(_lanes);
        _sRe = SessionArray.Of<float>(_lanes); _sIm = SessionArray.Of<float>(_lanes);
        _aRe = SessionArray.Of<double>(harmonics); _aIm = SessionArray.Of<double>(harmonics);
        _cRe = SessionArray.Of<float>(_lanes); _cIm = SessionArray.Of<float>(_lanes);
        _oRe = SessionArray.Of<float>(_lanes); _oIm = SessionArray.Of<float>(_lanes);
        _powRe = SessionArray.Of<double>(harmonics); _powIm = SessionArray.Of<double>(harmonics);
        var doubles = (harmonics + Vector<double>.Count - 1) / Vector<double>.Count * Vector<double>.Count;
        _uRe = SessionArray.Of<double>(doubles); _uIm = SessionArray.Of<double>(doubles);
        _hornerRe = SessionArray.Of<double>(doubles); _hornerIm = SessionArray.Of<double>(doubles);
    }

    public HarmonicTracker Tracker => _tracker;
    public RlsCore Rls => _rls;

    /// <summary>Feeds the reference sample the phase is tracked on, and moves the basis to this sample.</summary>
    public void Push(float reference)
    {
        PushBlock(new ReadOnlySpan<float>(in reference));
        Advance();
    }

    /// <summary>
    /// Feeds a segment's reference samples to the tracker, which runs ahead over all of them (it reads nothing of the model);
    /// then one <see cref="Advance"/> per sample moves the model through the segment with the tracker's state as of that sample.
    /// </summary>
    public void PushBlock(ReadOnlySpan<float> reference)
    {
        _tracker.PushBlock(reference, _states, _tickPhasors);
        _cursor = 0;
    }

    /// <summary>Moves the basis to the next sample of the segment given to <see cref="PushBlock"/>.</summary>
    public void Advance()
    {
        ref readonly var state = ref _states[_cursor++];
        if (state.Acquisitions != _acquisitions)
        {
            _acquisitions = state.Acquisitions;
            _rls.Reset();
            _sinceGain = GainEvery;
        }
        _locked = state.Locked;
        if (!_locked) return;
        var coefficients = false;
        if (_secondary is not null && ++_sinceGain >= GainEvery)
        {
            SecondaryGains(state.SmoothFrequency);
            coefficients = true;
        }
        var lookAhead = false;
        if (state.Ticks != _ticks)
        {
            _ticks = state.Ticks;
            Anchor(_tickPhasors[state.TickIndex]);
            lookAhead = true;
        }
        else Rotate();
        if (coefficients || _rls.Version != _weights) Coefficients();
        else if (lookAhead) Coefficients(lookAheadOnly: true);
    }

    /// <summary>b_k(n+1) = b_k(n) s_k for all k at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Rotate()
    {
        ref var br = ref MemoryMarshal.GetArrayDataReference(_bRe);
        ref var bi = ref MemoryMarshal.GetArrayDataReference(_bIm);
        ref var sr = ref MemoryMarshal.GetArrayDataReference(_sRe);
        ref var si = ref MemoryMarshal.GetArrayDataReference(_sIm);
        for (var k = 0; k < _lanes; k += Vector<float>.Count)
        {
            var (r, i) = (Vector.LoadUnsafe(ref br, (nuint)k), Vector.LoadUnsafe(ref bi, (nuint)k));
            var (c, s) = (Vector.LoadUnsafe(ref sr, (nuint)k), Vector.LoadUnsafe(ref si, (nuint)k));
            (r * c - i * s).StoreUnsafe(ref br, (nuint)k);
            (r * s + i * c).StoreUnsafe(ref bi, (nuint)k);
        }
    }

    /// <summary>At a tracker tick: b_k, s_k and the look-ahead e^{jkα} from the tracker's exact phasors; then A_k.</summary>
    private void Anchor(in HarmonicTracker.TickPhasors p)
    {
        if (_planarVectors && Vector<float>.Count == 8)
        {
            PowersInVectors(p.BasisCos, p.BasisSin, null, null, _bRe, _bIm);
            PowersInVectors(p.StepCos, p.StepSin, null, null, _sRe, _sIm);
            PowersInVectors(p.AheadCos, p.AheadSin, _aRe, _aIm, null, null);
            return;
        }
        Powers(p.BasisCos, p.BasisSin, _powRe, _powIm);
        Round(_powRe, _powIm, _bRe, _bIm);
        Powers(p.StepCos, p.StepSin, _powRe, _powIm);
        Round(_powRe, _powIm, _sRe, _sIm);
        Powers(p.AheadCos, p.AheadSin, _aRe, _aIm);
    }

    private void Round(double[] re, double[] im, float[] toRe, float[] toIm)
    {
        for (var k = 0; k < _harmonics; k++)
        {
            toRe[k] = (float)re[k];
            toIm[k] = (float)im[k];
        }
    }

    /// <summary>
    /// z^k for k = 1…K (K a multiple of 8), built in registers and stored as whole vectors (read back as vectors at once,
    /// scalar stores would cost a failed store-to-load forward each): z…z⁴ by repeated multiplication, then each next four
    /// as the last four times z⁴. Into double and/or float arrays.
    /// </summary>
    private void PowersInVectors(double c1, double s1, double[]? re, double[]? im, float[]? reF, float[]? imF)
    {
        double c2 = c1 * c1 - s1 * s1, s2 = s1 * c1 + c1 * s1;
        double c3 = c2 * c1 - s2 * s1, s3 = s2 * c1 + c2 * s1;
        double c4 = c3 * c1 - s3 * s1, s4 = s3 * c1 + c3 * s1;
        var lowRe = Vector256.Create(c1, c2, c3, c4);
        var lowIm = Vector256.Create(s1, s2, s3, s4);
        var (r4, i4) = (Vector256.Create(c4), Vector256.Create(s4));
        for (var k = 0; k < _harmonics; k += 8)
        {
            var highRe = lowRe * r4 - lowIm * i4;
            var highIm = lowIm * r4 + lowRe * i4;
            if (re is not null && im is not null)
            {
                lowRe.CopyTo(re.AsSpan(k));
                highRe.CopyTo(re.AsSpan(k + 4));
                lowIm.CopyTo(im.AsSpan(k));
                highIm.CopyTo(im.AsSpan(k + 4));
            }
            if (reF is not null && imF is not null)
            {
                Vector256.Narrow(lowRe, highRe).CopyTo(reF.AsSpan(k));
                Vector256.Narrow(lowIm, highIm).CopyTo(imF.AsSpan(k));
            }
            lowRe = highRe * r4 - highIm * i4;
            lowIm = highIm * r4 + highRe * i4;
        }
    }

    // z^k for k = 1…K by repeated multiplication (in double).
    private void Powers(double cos1, double sin1, double[] re, double[] im)
    {
        double c = cos1, s = sin1;
        for (var k = 0; k < _harmonics; k++)
        {
            re[k] = c;
            im[k] = s;
            (c, s) = (c * cos1 - s * sin1, s * cos1 + c * sin1);
        }
    }

    /// <summary>C_k = W̄_k G_k and A_k = W̄_k e^{jkα} from the current weights; <paramref name="lookAheadOnly"/>: A_k alone.</summary>
    private void Coefficients(bool lookAheadOnly = false)
    {
        _weights = _rls.Version;
        _coefficients++;
        var w = _rls.Weights; // planar: Re W_k at k, Im W_k at K + k
        if (_planarVectors)
        {
            // Whole vectors, stored as vectors (scalar stores read back as a vector by RealDots cannot be forwarded).
            var wRe = MemoryMarshal.Cast<double, Vector<double>>(w[.._harmonics]);
            var wIm = MemoryMarshal.Cast<double, Vector<double>>(w[_harmonics..]);
            var aRe = MemoryMarshal.Cast<double, Vector<double>>(_aRe.AsSpan());
            var aIm = MemoryMarshal.Cast<double, Vector<double>>(_aIm.AsSpan());
            var gRe = MemoryMarshal.Cast<double, Vector<double>>(_gainRe.AsSpan());
            var gIm = MemoryMarshal.Cast<double, Vector<double>>(_gainIm.AsSpan());
            for (int v = 0, k = 0; k < _harmonics; v += 2, k += Vector<float>.Count)
            {
                Vector<double> wr0 = wRe[v], wr1 = wRe[v + 1], wi0 = wIm[v], wi1 = wIm[v + 1];
                Vector.Narrow(wr0 * aRe[v] + wi0 * aIm[v], wr1 * aRe[v + 1] + wi1 * aIm[v + 1]).CopyTo(_oRe, k);
                Vector.Narrow(wr0 * aIm[v] - wi0 * aRe[v], wr1 * aIm[v + 1] - wi1 * aRe[v + 1]).CopyTo(_oIm, k);
                if (lookAheadOnly) continue;
                Vector.Narrow(wr0 * gRe[v] + wi0 * gIm[v], wr1 * gRe[v + 1] + wi1 * gIm[v + 1]).CopyTo(_cRe, k);
                Vector.Narrow(wr0 * gIm[v] - wi0 * gRe[v], wr1 * gIm[v + 1] - wi1 * gRe[v + 1]).CopyTo(_cIm, k);
            }
            return;
        }
        for (var k = 0; k < _harmonics; k++)
        {
            double wr = w[k], wi = w[_harmonics + k]; // W̄_k = wr − j wi
            double a1 = _aRe[k], a2 = _aIm[k];
            _oRe[k] = (float)(wr * a1 + wi * a2);
            _oIm[k] = (float)(wr * a2 - wi * a1);
            if (lookAheadOnly) continue;
            double g1 = _gainRe[k], g2 = _gainIm[k];
            _cRe[k] = (float)(wr * g1 + wi * g2);
            _cIm[k] = (float)(wr * g2 - wi * g1);
        }
    }

    /// <summary>
    /// G_k = Σ_m ŝ(m) u_k^m, u_k = e^{−jkω}, at the current fundamental: Horner's rule, all K harmonics at once in
    /// SIMD (each harmonic's recursion is a serial chain; side by side they fill the vector unit).
    /// </summary>
    private void SecondaryGains(double frequency)
    {
        _sinceGain = 0;
        var secondary = _secondary!;
        var (sin, cos) = Math.SinCos(2 * Math.PI * frequency / _sampleRate);
        if (_planarVectors && Vector<float>.Count == 8) PowersInVectors(cos, -sin, _uRe, _uIm, null, null); // u_k = (e^{−jω})^k
        else Powers(cos, -sin, _uRe, _uIm);
        var uRe = MemoryMarshal.Cast<double, Vector<double>>(_uRe.AsSpan());
        var uIm = MemoryMarshal.Cast<double, Vector<double>>(_uIm.AsSpan());
        var gRe = MemoryMarshal.Cast<double, Vector<double>>(_hornerRe.AsSpan());
        var gIm = MemoryMarshal.Cast<double, Vector<double>>(_hornerIm.AsSpan());
        var v = 0;
        // Estrin's split of Horner's rule: G = E(u²) + u O(u²), E and O the even and odd taps' polynomials, so each harmonic
        // runs two chains of |Ŝ|/2 steps instead of one of |Ŝ|; two vectors of harmonics side by side: four chains in flight.
        var secondaryLength = secondary.Length;
        var topEven = (secondaryLength - 1) & ~1;
        var topOdd = secondaryLength >= 2 ? ((secondaryLength - 2) | 1) : -1;
        for (; v + 1 < uRe.Length; v += 2)
        {
            Vector<double> ur = uRe[v], ui = uIm[v], ur2 = uRe[v + 1], ui2 = uIm[v + 1];
            Vector<double> vr = ur * ur - ui * ui, vi = ur * ui + ui * ur, vr2 = ur2 * ur2 - ui2 * ui2, vi2 = ur2 * ui2 + ui2 * ur2; // u²
            var eRe = new Vector<double>(secondary[topEven]);
            var eRe2 = eRe;
            Vector<double> eIm = Vector<double>.Zero, eIm2 = eIm;
            var oRe = topOdd >= 0 ? new Vector<double>(secondary[topOdd]) : Vector<double>.Zero;
            var oRe2 = oRe;
            Vector<double> oIm = Vector<double>.Zero, oIm2 = oIm;
            for (var m = topEven - 2; m >= 0; m -= 2)
            {
                var even = new Vector<double>(secondary[m]);
                (eRe, eIm) = (eRe * vr - eIm * vi + even, eRe * vi + eIm * vr);
                (eRe2, eIm2) = (eRe2 * vr2 - eIm2 * vi2 + even, eRe2 * vi2 + eIm2 * vr2);
                if (m + 1 >= topOdd) continue; // |Ŝ| odd: the odd chain starts one step lower
                var odd = new Vector<double>(secondary[m + 1]);
                (oRe, oIm) = (oRe * vr - oIm * vi + odd, oRe * vi + oIm * vr);
                (oRe2, oIm2) = (oRe2 * vr2 - oIm2 * vi2 + odd, oRe2 * vi2 + oIm2 * vr2);
            }
            gRe[v] = eRe + (ur * oRe - ui * oIm);
            gIm[v] = eIm + (ur * oIm + ui * oRe);
            gRe[v + 1] = eRe2 + (ur2 * oRe2 - ui2 * oIm2);
            gIm[v + 1] = eIm2 + (ur2 * oIm2 + ui2 * oRe2);
        }
        for (; v < uRe.Length; v++)
        {
            Vector<double> ur = uRe[v], ui = uIm[v];
            var re = new Vector<double>(secondary[^1]);
            var im = Vector<double>.Zero;
            for (var m = secondary.Length - 2; m >= 0; m--)
                (re, im) = (re * ur - im * ui + new Vector<double>(secondary[m]), re * ui + im * ur);
            gRe[v] = re;
            gIm[v] = im;
        }
        _hornerRe.AsSpan(0, _harmonics).CopyTo(_gainRe);
        _hornerIm.AsSpan(0, _harmonics).CopyTo(_gainIm);
    }

    /// <summary>
    /// z(n) = wᵀ g(n) = Re Σ C_k b_k; y(n+D) = Re Σ A_k b_k is formed in the same pass and kept for <see cref="Output"/>
    /// unless the weights change in between (an RLS update).
    /// </summary>
    public float Predict()
    {
        if (!_locked) return 0f;
        var z = RealDots();
        _outputCoefficients = _coefficients;
        return z;
    }

    // Re Σ C_k b_k, returned, and Re Σ A_k b_k into _output, in float. Not a returned (float, float): the JIT packs
    // that pair through memory, and reading it back is a store-forwarding stall per sample.
    private float RealDots()
    {
        ref var cr = ref MemoryMarshal.GetArrayDataReference(_cRe);
        ref var ci = ref MemoryMarshal.GetArrayDataReference(_cIm);
        ref var or = ref MemoryMarshal.GetArrayDataReference(_oRe);
        ref var oi = ref MemoryMarshal.GetArrayDataReference(_oIm);
        ref var br = ref MemoryMarshal.GetArrayDataReference(_bRe);
        ref var bi = ref MemoryMarshal.GetArrayDataReference(_bIm);
        var z = Vector<float>.Zero;
        var y = Vector<float>.Zero;
        for (var k = 0; k < _lanes; k += Vector<float>.Count)
        {
            var (r, i) = (Vector.LoadUnsafe(ref br, (nuint)k), Vector.LoadUnsafe(ref bi, (nuint)k));
            z += Vector.LoadUnsafe(ref cr, (nuint)k) * r - Vector.LoadUnsafe(ref ci, (nuint)k) * i;
            y += Vector.LoadUnsafe(ref or, (nuint)k) * r - Vector.LoadUnsafe(ref oi, (nuint)k) * i;
        }
        if (Vector<float>.Count == 8 && Sse3.IsSupported)
        {
            // Both horizontal sums at once: halves added, then two pairwise adds leave [z, y, z, y].
            var zy = Vector256.AsVector256(z);
            var yy = Vector256.AsVector256(y);
            var sums = Sse3.HorizontalAdd(zy.GetLower() + zy.GetUpper(), yy.GetLower() + yy.GetUpper());
            sums = Sse3.HorizontalAdd(sums, sums);
            _output = sums.GetElement(1);
            return sums.ToScalar();
        }
        _output = Vector.Sum(y);
        return Vector.Sum(z);
    }

    /// <summary>
    /// Whether the next <see cref="Update"/> adapts (locked, and the <c>RlsUpdateEvery</c>-th sample): in antinoise mode z is
    /// used only then, so <see cref="PredictAlone"/> runs one sample in four.
    /// </summary>
    public bool AdaptsNext
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _locked && _phase + 1 >= _updateEvery;
    }

    /// <summary>z(n) = Re Σ C_k b_k alone (antinoise mode, when <see cref="AdaptsNext"/>): the same sum as <see cref="Predict"/>'s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float PredictAlone() => _locked ? ReDot(_cRe, _cIm) : 0f;

    /// <summary>y(n+D) = Re Σ A_k b_k alone (antinoise mode, every sample, after any <see cref="Update"/>): the same sum as <see cref="Output"/>'s.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float OutputAlone() => _locked ? ReDot(_oRe, _oIm) : 0f;

    // Re Σ (re_k + j im_k) b_k in float, reduced as RealDots reduces each of its two sums (so either gives the same bits).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float ReDot(float[] re, float[] im)
    {
        ref var cr = ref MemoryMarshal.GetArrayDataReference(re);
        ref var ci = ref MemoryMarshal.GetArrayDataReference(im);
        ref var br = ref MemoryMarshal.GetArrayDataReference(_bRe);
        ref var bi = ref MemoryMarshal.GetArrayDataReference(_bIm);
        var y = Vector<float>.Zero;
        for (var k = 0; k < _lanes; k += Vector<float>.Count)
            y += Vector.LoadUnsafe(ref cr, (nuint)k) * Vector.LoadUnsafe(ref br, (nuint)k) - Vector.LoadUnsafe(ref ci, (nuint)k) * Vector.LoadUnsafe(ref bi, (nuint)k);
        if (Vector<float>.Count == 8 && Sse3.IsSupported)
        {
            var yy = Vector256.AsVector256(y);
            var half = yy.GetLower() + yy.GetUpper();
            var sums = Sse3.HorizontalAdd(half, half);
            return Sse3.HorizontalAdd(sums, sums).ToScalar();
        }
        return Vector.Sum(y);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(float error)
    {
        if (!_locked || ++_phase < _updateEvery) return;
        Adapt(error);
    }

    // The RLS update on this sample's regressor g = [Re, Im] of G_k b_k (every RlsUpdateEvery-th sample).
    private void Adapt(float error)
    {
        _phase = 0;
        var g = _rls.Regressor; // planar: g = [Re G_k b_k (K), Im G_k b_k (K)]
        if (_planarVectors)
        {
            var gRe = MemoryMarshal.Cast<double, Vector<double>>(g[.._harmonics]);
            var gIm = MemoryMarshal.Cast<double, Vector<double>>(g[_harmonics..]);
            var sRe = MemoryMarshal.Cast<double, Vector<double>>(_gainRe.AsSpan());
            var sIm = MemoryMarshal.Cast<double, Vector<double>>(_gainIm.AsSpan());
            for (int v = 0, k = 0; k < _harmonics; v += 2, k += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(_bRe, k), out var br0, out var br1);
                Vector.Widen(new Vector<float>(_bIm, k), out var bi0, out var bi1);
                gRe[v] = sRe[v] * br0 - sIm[v] * bi0;
                gRe[v + 1] = sRe[v + 1] * br1 - sIm[v + 1] * bi1;
                gIm[v] = sRe[v] * bi0 + sIm[v] * br0;
                gIm[v + 1] = sRe[v + 1] * bi1 + sIm[v + 1] * br1;
            }
        }
        else
        {
            for (var k = 0; k < _harmonics; k++)
            {
                double br = _bRe[k], bi = _bIm[k];
                g[k] = _gainRe[k] * br - _gainIm[k] * bi;
                g[_harmonics + k] = _gainRe[k] * bi + _gainIm[k] * br;
            }
        }
        _rls.UpdateRegressor(error);
        if (_rls.Version != _weights) Coefficients();
    }

    /// <summary>y(n + D) = wᵀ b(ψ̂(n+D)) = Re Σ A_k b_k: the model at the extrapolated phase.</summary>
    public float Output()
    {
        if (!_locked) return 0f;
        if (_outputCoefficients != _coefficients) _output = ReDot(_oRe, _oIm); // the weights changed since Predict: y alone
        _outputCoefficients = _coefficients;
        return _output;
    }

    public bool IsHealthy
    {
        get
        {
            foreach (var w in _rls.Weights) if (!double.IsFinite(w)) return false;
            return true;
        }
    }

    /// <summary>Forgets the weights (the tracker keeps its lock).</summary>
    public void ResetWeights()
    {
        _rls.Reset();
        Coefficients();
    }

    public void Reset()
    {
        _rls.Reset();
        _tracker.Reset();
        _locked = false;
        _acquisitions = 0;
        _sinceGain = GainEvery;
        _ticks = _weights = -1;
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
        _locked = _tracker.Locked;
        _sinceGain = GainEvery;
        if (!_locked) return;
        if (_secondary is not null) SecondaryGains(_tracker.SmoothFrequency);
        _ticks = _tracker.Ticks;
        Anchor(_tracker.Phasors); // the next Predict may come before the next Push
        Coefficients();
    }
}
