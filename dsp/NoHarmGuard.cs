using System.Runtime.CompilerServices;

namespace AncOrleans.Dsp;

/// <summary>
/// Decides how much of the filter's output to play, so the canceller never makes the noise louder.
/// With t(n) the target (−d̂ in antinoise mode, d in clean mode) and z(n) the filter's contribution (in
/// antinoise mode, Ŝ * the unscaled output actually played, computed with weights from n − D — not the a priori
/// estimate with today's weights, which on lowpass noise borrows the last sample's information and looks
/// better than anything playable),
/// the residual with an output gain g is t − g z, minimised by
/// <code>
///   g* = clip( E[t z] / E[z²], 0, 1 )
/// </code>
/// (a one-tap Wiener shrinkage, estimated with exponential averages over <c>GuardSeconds</c>). Where nothing
/// is predictable across the loop delay, E[t z] → 0 and the output fades out while the filter keeps adapting
/// in the background (modified FxLMS learns from d̂, not from what was played). The played gain follows g* with
/// a short slew (<c>GuardSlewSeconds</c>), and passthrough (emergency) or detected harm force it to 0 within <c>FadeSeconds</c>.
/// </summary>
public sealed class NoHarmGuard
{
    internal const float SlowRate = 1f / 24_000; // α of the slow averages (0.5 s at 48 kHz)
    private readonly float _statRate;  // α of the fast E[·] averages
    private readonly float _slewRate;  // per-sample step of the played gain while following g*
    private readonly float _fadeRate;  // per-sample step while fading out for passthrough
    private readonly int _sampleRate;
    private double _cautiousSeconds;   // see CautiousSeconds
    private float _cautiousRate = float.MaxValue; // per-sample rise limit after harm
    private float _tz, _zz, _tt;       // fast E[t z], E[z²], E[t²]
    private float _tzSlow, _zzSlow;    // slow E[t z], E[z²]
    private float _gain;               // gain being played

    public NoHarmGuard(int sampleRate, double statSeconds, double slewSeconds, double fadeSeconds)
    {
        _statRate = (float)(1.0 / Math.Max(1, statSeconds * sampleRate));
        _slewRate = (float)(1.0 / Math.Max(1, slewSeconds * sampleRate));
        _fadeRate = (float)(1.0 / Math.Max(1, fadeSeconds * sampleRate));
        _sampleRate = sampleRate;
    }

    /// <summary>When true the output fades to zero (passthrough for emergencies).</summary>
    public bool Passthrough { get; set; }

    /// <summary>When positive, the output is held at zero for that many more samples (after harm).</summary>
    public int HoldSamples { get; set; }

    /// <summary>
    /// After harm: the gain rises from 0 to 1 in no less than this many seconds instead of <c>GuardSlewSeconds</c>, so a
    /// retry with a wrong Ŝ is caught while its output is still small; 0 for the normal slew. Falling is never slowed.
    /// </summary>
    public double CautiousSeconds
    {
        get => _cautiousSeconds;
        set
        {
            _cautiousSeconds = Math.Max(0, value);
            _cautiousRate = _cautiousSeconds > 0 ? (float)(1.0 / Math.Max(1, _cautiousSeconds * _sampleRate)) : float.MaxValue;
        }
    }

    public float Gain => _gain;

    /// <summary>The gain the statistics currently ask for.</summary>
    /// <remarks>The fast (GuardSeconds) estimate when its correlation ρ = E[tz]/√(E[t²]E[z²]) is clearly
    /// significant (ρ &gt; 0.5); otherwise the smaller of the fast and a slow (0.5 s) estimate, so the chance
    /// correlations a short window finds in unpredictable noise never turn the output up.</remarks>
    public float OptimalGain
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Wanted(_tz, _zz, _tt, _tzSlow, _zzSlow);
    }

    // clip(tz/zz, 0, 1), dividing only when the quotient lies strictly inside (per sample, twice per branch).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Ratio(float tz, float zz) => zz > 0 && tz > 0 ? (tz >= zz ? 1f : tz / zz) : 0f;

    /// <summary>Feeds one sample of target and estimate; returns the gain to apply now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Next(float target, float estimate)
    {
        // An idle branch (it has played nothing for a while, and plays nothing now — the tonal one while the tracker
        // searches): the E[·] of its estimate are exactly 0 and stay 0, the gain stays 0, so only E[t²] moves.
        // The same state as the full update below, without its arithmetic.
        if (estimate == 0 && _tz == 0 && _zz == 0 && _tzSlow == 0 && _zzSlow == 0 && _gain == 0 && HoldSamples == 0 && float.IsFinite(target))
        {
            _tt += _statRate * (target * target - _tt);
            return _gain = 0;
        }
        _tz += _statRate * (target * estimate - _tz);
        _zz += _statRate * (estimate * estimate - _zz);
        _tt += _statRate * (target * target - _tt);
        _tzSlow += SlowRate * (target * estimate - _tzSlow);
        _zzSlow += SlowRate * (estimate * estimate - _zzSlow);
        float wanted;
        if (Passthrough) wanted = 0;
        else if (HoldSamples > 0) { HoldSamples--; wanted = 0; }
        else wanted = OptimalGain;
        var rate = Passthrough ? _fadeRate : _slewRate;
        _gain += Math.Clamp(wanted - _gain, -rate, Math.Min(rate, _cautiousRate));
        return _gain;
    }

    /// <summary>True when <see cref="OutputGuard.RunSegment"/> may run <see cref="Next"/>'s operations on locals: no passthrough, no hold.</summary>
    internal bool Plain => !Passthrough && HoldSamples == 0;

    /// <summary>α of the fast averages; the slew's step; the step the gain may rise by (the slew, or slower after harm).</summary>
    internal float StatRate => _statRate;
    internal float SlewRate => _slewRate;
    internal float RiseRate => Math.Min(_slewRate, _cautiousRate);

    /// <summary>Copies the state out for <see cref="OutputGuard.RunSegment"/>, which runs it on locals (registers) over a segment.</summary>
    internal void Get(out float tz, out float zz, out float tt, out float tzSlow, out float zzSlow, out float gain) =>
        (tz, zz, tt, tzSlow, zzSlow, gain) = (_tz, _zz, _tt, _tzSlow, _zzSlow, _gain);

    internal void Set(float tz, float zz, float tt, float tzSlow, float zzSlow, float gain) =>
        (_tz, _zz, _tt, _tzSlow, _zzSlow, _gain) = (tz, zz, tt, tzSlow, zzSlow, gain);

    /// <summary>
    /// <see cref="OptimalGain"/> on given statistics: <see cref="OutputGuard.RunSegment"/> runs <see cref="Next"/>'s operations, in
    /// the same order, on locals (registers), for segments where <see cref="Plain"/> holds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Wanted(float tz, float zz, float tt, float tzSlow, float zzSlow)
    {
        var fast = Ratio(tz, zz);
        var significant = tz > 0 && tz * tz > 0.25f * tt * zz;
        return significant || fast == 0 ? fast : Math.Min(fast, Ratio(tzSlow, zzSlow));
    }

    public void Reset()
    {
        _tz = _zz = _tt = _tzSlow = _zzSlow = 0;
        _gain = 0;
        HoldSamples = 0;
    }

    public const int StateLength = 5;

    public void SaveState(Span<float> destination)
    {
        destination[0] = _tz;
        destination[1] = _zz;
        destination[2] = _tzSlow;
        destination[3] = _zzSlow;
        destination[4] = _gain;
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        _tz = float.IsFinite(source[0]) ? source[0] : 0;
        _zz = float.IsFinite(source[1]) && source[1] >= 0 ? source[1] : 0;
        _tzSlow = float.IsFinite(source[2]) ? source[2] : 0;
        _zzSlow = float.IsFinite(source[3]) && source[3] >= 0 ? source[3] : 0;
        _gain = float.IsFinite(source[4]) ? Math.Clamp(source[4], 0f, 1f) : 0;
    }
}
