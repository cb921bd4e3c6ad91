namespace AncOrleans.Dsp;

/// <summary>
/// Catches a canceller that makes the ear louder than no ANC without trusting the secondary-path estimate Ŝ: the
/// last line of "never louder" when Ŝ is wrong (a speaker wired backwards, a path longer than measured).
///
/// Why not d̂. Modified FxLMS (Bjarnason 1992) judges itself on d̂ = e − Ŝ*y. With a true path S ≠ Ŝ,
/// d̂ = d + (S − Ŝ)*y: part of what the canceller calls "the noise" is its own output. Wherever Ŝ's phase is off by
/// more than 90° (everywhere for a sign flip; above fs/(4k) for k samples of missing delay) the branches adapt
/// against their own output — positive feedback — the no-harm gains see a target that grows with the output and
/// open fully, and the comparison of e with d̂ is fooled: for S = −Ŝ, e = d̂/2 once the output dominates, a reported
/// 6 dB "reduction" while the ear's noise grows ≈ 9 dB per 50 ms until the output overflows. Every test built on d̂
/// shares the error, so this one uses only the two microphones and what was played (Ŝ only for the size of our
/// output at the ear, h = Ŝ*y: its magnitude must be right within a few dB, its phase may be anything):
/// <code>
///   quiet sample    P_h &lt; 0.01 P_e (10 ms powers): our output changes e by under 1 dB, so e is the noise alone
///   κ = Q_e / Q_x   Q: e² and x² averaged over quiet samples only (0.5 s of them)
///   N̂ = κ P_x       the ear's noise without ANC, carried forward by the reference mic's level
///   r = P_e / N̂     fast (τ = 10 ms) and slow (τ = 100 ms) powers; σ² = E[(r − 1)²] over quiet samples, per tier
///   harm            r &gt; Θ + 3 max(σ, σ₀)  and  √P_h ≥ √P_e − √N̂           Θ: +1.5 dB fast, +0.5 dB slow
///   σ₀ = 0.2 √(0.1 s / quiet time)                                          the floor while little is known
/// </code>
/// Two tiers: a fast one for the explosive divergence of the tonal branch (≈ 0.2 dB/ms; what was sent D ahead plays
/// whatever we decide, so it must fire within a few dB), a slow one for the long branch, whose divergence creeps at a
/// few dB per second. The thresholds are CFAR-style (a constant false-alarm rate): 3σ of how much r itself wanders
/// when nothing of ours is heard, so steady hum is watched at about +1.5 dB and 10 ms windows of pink noise at
/// several dB. σ₀ stands for what a few quiet samples cannot show: how far κ moves when the noise's spectrum moves
/// (an engine sweeping across a room's modes changes P_d/P_x by 3–4 dB in half a second). The Minkowski condition
/// (if the excess were ours, our output's RMS would be at least the excess RMS) keeps sounds at the ear that are
/// not in the reference and louder than our output — the listener's own voice — from being blamed on us.
/// κ is learnt whenever nothing of ours is heard: at the start (the first D samples hear nothing by construction),
/// whenever the no-harm guards have faded the output, and in every mute this detector causes, so a stale κ costs at
/// most one mute and is then relearnt. After a restore the warm-up (weights play, do not adapt) lends d̂ as the
/// quiet ear, right if the checkpointed session was healthy. Measured: 3 alarms in the 63 correct-Ŝ antinoise cases
/// of `anc eval` (engine run-up at D = 10 ms, while its first half second of κ no longer fits the sweep and the
/// canceller has not begun to cancel). Allocation-free; about 20 flops per sample.
/// </summary>
internal sealed class DivergenceDetector
{
    private const float FastThreshold = 1.4125376f; // +1.5 dB
    private const float SlowThreshold = 1.1220185f; // +0.5 dB
    private const float Sigmas = 3f;
    private const float SigmaFloor = 0.2f;           // σ₀ after 0.1 s of quiet samples
    private const float QuietRatio = 0.01f;          // P_h below −20 dB of P_e: e is the noise alone
    private readonly float _fast, _slow;             // α of the 10 ms and 100 ms powers
    private readonly float _learn;                   // α of the quiet averages (0.5 s of quiet samples)
    private readonly float _floorSamples;            // 0.1 s
    private readonly int _armAfter;                  // quiet samples before κ is trusted (10 ms)
    private float _pe, _px, _ph;                     // fast P_e, P_x, P_h
    private float _se, _sx;                          // slow P_e, P_x
    private float _qe, _qx;                          // Q_e, Q_x
    private float _vf, _vs;                          // σ² of the fast and slow r over quiet samples
    private float _quiet;                            // quiet samples seen

    public DivergenceDetector(int sampleRate)
    {
        _fast = 1f / (0.01f * sampleRate);
        _slow = 1f / (0.1f * sampleRate);
        _learn = 1f / (0.5f * sampleRate);
        _floorSamples = 0.1f * sampleRate;
        _armAfter = Math.Max(1, sampleRate / 100);
    }

    /// <summary>
    /// One sample: reference x, ear e, and h = (Ŝ*y)(n). <paramref name="quietEar"/> is a stand-in for the ear without
    /// ANC (d̂ during a restore's warm-up), or NaN. Returns true when the ear is louder than no ANC and our output could
    /// be the cause.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public bool Observe(float x, float e, float heard, float quietEar = float.NaN)
    {
        float e2 = e * e, x2 = x * x;
        _pe += _fast * (e2 - _pe);
        _px += _fast * (x2 - _px);
        _ph += _fast * (heard * heard - _ph);
        _se += _slow * (e2 - _se);
        _sx += _slow * (x2 - _sx);
        if (!float.IsNaN(quietEar)) Learn(quietEar, x);
        else if (_ph < QuietRatio * _pe) Learn(e, x);
        if (_quiet < _armAfter) return false;
        // r > threshold without a division: P_e Q_x > threshold Q_e P_x. The thresholds only when that could be near.
        if (!(_pe * _qx > FastThreshold * _qe * _px) && !(_se * _qx > SlowThreshold * _qe * _sx)) return false;
        var floor = SigmaFloor * MathF.Sqrt(_floorSamples / _quiet);
        return Louder(_pe, _px, FastThreshold + Sigmas * MathF.Max(MathF.Sqrt(_vf), floor))
            || Louder(_se, _sx, SlowThreshold + Sigmas * MathF.Max(MathF.Sqrt(_vs), floor));
    }

    private bool Louder(float pe, float px, float threshold)
    {
        if (!(pe * _qx > threshold * _qe * px)) return false;
        var noise = _qe / _qx * px;
        return MathF.Sqrt(_ph) >= MathF.Sqrt(pe) - MathF.Sqrt(noise);
    }

    private void Learn(float ear, float x)
    {
        _qe += _learn * (ear * ear - _qe);
        _qx += _learn * (x * x - _qx);
        _quiet++;
        if (!(_qe > 0 && _px > 0 && _sx > 0)) return;
        var kappa = _qx / _qe; // 1/κ
        var rf = _pe * kappa / _px - 1;
        var rs = _se * kappa / _sx - 1;
        _vf += _learn * (Math.Min(rf * rf, 100f) - _vf);
        _vs += _learn * (Math.Min(rs * rs, 100f) - _vs);
    }

    /// <summary>Forgets everything (a new stream).</summary>
    public void Reset()
    {
        _pe = _px = _ph = _se = _sx = _qe = _qx = _vf = _vs = 0;
        _quiet = 0;
    }
}
