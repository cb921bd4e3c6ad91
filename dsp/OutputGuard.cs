namespace AncOrleans.Dsp;

/// <summary>
/// How much of each branch of the cascade to play, so the canceller never makes the noise louder. Each branch has
/// its own <see cref="NoHarmGuard"/> (a one-tap Wiener shrinkage of what that branch actually played), the long
/// branch judged first on the whole target, the tonal branch on what the long one leaves as played:
/// <code>
///   g_N = guard_N( t,            h_N )
///   g_H = guard_H( t − g_N h_N,  h_H )
/// </code>
/// with t the target (−d̂ in antinoise mode, d in clean mode) and h what each branch's unscaled output adds at the
/// ear (clean mode: its estimate). So a branch that cannot predict — NLMS on a fast sweep, the tonal model on
/// broadband — is faded out while the other plays. Guards: the emergency passthrough fades both gains to 0 within
/// <c>FadeSeconds</c>; and, the last resort, on harm — the ear louder than d̂ for half a second
/// (<see cref="HarmSustained"/>), or louder than no ANC as <see cref="DivergenceDetector"/> judges it without Ŝ — the
/// caller resets the filters and <see cref="HoldAfterHarm"/> mutes both gains at once and holds them: 0.5 s, doubled
/// for each further harm (at most 16 s) until the output has played 10 s past its hold without one, and after each
/// hold the gains rise over 0.5 s (doubled per harm, at most 4 s) instead of 10 ms, so a canceller that cannot help
/// (a wrong Ŝ) retries ever more rarely and is caught while its retry is still quiet.
/// </summary>
internal sealed class OutputGuard
{
    private readonly NoHarmGuard _tonal, _long;
    private readonly bool _hasTonal, _hasLong; // which branches run
    private readonly int _harmWindow;          // samples of sustained harm before muting
    private readonly int _forgiveAfter;        // samples without harm after a hold that clear the strikes
    private int _harmRun;                      // consecutive samples where the ear got louder
    private int _strikes;                      // harm events since the output last played cleanly for a while
    private int _sinceStrike;                  // samples since the last harm event
    private int _lastHold;                     // the last hold, in samples

    public OutputGuard(AncSettings settings)
    {
        _hasTonal = settings.UsesHarmonicModel;
        _hasLong = settings.UsesLongFilter;
        _tonal = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        _long = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        _harmWindow = settings.SampleRate / 2;
        _forgiveAfter = 10 * settings.SampleRate;
    }

    /// <summary>g_H being played.</summary>
    public float TonalGain => _tonal.Gain;

    /// <summary>g_N being played.</summary>
    public float LongGain => _long.Gain;

    /// <summary>The gain of the louder branch: 0 when the canceller has backed off entirely.</summary>
    public float OutputGain => Math.Max(_hasTonal ? _tonal.Gain : 0, _hasLong ? _long.Gain : 0);

    /// <summary>When true both gains fade to zero (emergency passthrough); when false they follow their guards again.</summary>
    public bool Passthrough
    {
        get => _tonal.Passthrough;
        set => _tonal.Passthrough = _long.Passthrough = value;
    }

    /// <summary>Feeds one sample of target and of what each branch adds at the ear; gives the gains to play now.</summary>
    /// <remarks>Out parameters, not a returned pair: a (float, float) is returned packed in one register, which the JIT
    /// builds through memory — two 4-byte stores read back as one 8-byte load that cannot be forwarded, a stall per
    /// sample that cost more than the guard's arithmetic.</remarks>
    public void Next(float target, float tonalHeard, float longHeard, out float tonal, out float @long)
    {
        if (_strikes > 0 && ++_sinceStrike > _lastHold + _forgiveAfter)
        {
            _strikes = 0;
            _tonal.CautiousSeconds = _long.CautiousSeconds = 0;
        }
        var gLong = _hasLong ? _long.Next(target, longHeard) : 0;
        @long = gLong;
        tonal = _hasTonal ? _tonal.Next(target - gLong * longHeard, tonalHeard) : 0;
    }

    /// <summary>
    /// <see cref="Next"/> and <see cref="HarmSustained"/> for samples <paramref name="from"/>, … of a segment, both guards' state
    /// in registers: the same operations in the same order as one call of each per sample, so the same bits. Runs while
    /// neither guard is held or passed through (else it returns <paramref name="from"/> at once) and stops before a sample
    /// whose <paramref name="alarm"/> is set (harm before it, the caller's business) or after one whose harm is sustained
    /// (<paramref name="harm"/>: the caller resets and calls <see cref="HoldAfterHarm"/>). The caller guarantees there is
    /// no restore warm-up in the samples it hands over. <paramref name="louder"/>[i]: the meter's ear-louder-than-d̂ test at
    /// sample i (the gain test is made here). Writes each sample's gains and the long gain before its update
    /// (<paramref name="longBefore"/>: what the tonal update scales z_N by). Returns the first sample not processed.
    /// </summary>
    public int RunSegment(int from, ReadOnlySpan<float> target, ReadOnlySpan<float> tonalHeard, ReadOnlySpan<float> longHeard,
        ReadOnlySpan<bool> louder, ReadOnlySpan<bool> alarm, Span<float> tonalGain, Span<float> longGain, Span<float> longBefore, out bool harm)
    {
        harm = false;
        if ((_hasTonal && !_tonal.Plain) || (_hasLong && !_long.Plain)) return from;
        var count = target.Length;
        tonalHeard = tonalHeard[..count];
        longHeard = longHeard[..count];
        louder = louder[..count];
        alarm = alarm[..count];
        tonalGain = tonalGain[..count];
        longGain = longGain[..count];
        longBefore = longBefore[..count];
        _tonal.Get(out var ttz, out var tzz, out var ttt, out var ttzSlow, out var tzzSlow, out var tGain);
        _long.Get(out var ltz, out var lzz, out var ltt, out var ltzSlow, out var lzzSlow, out var lGain);
        var statRate = _tonal.StatRate;
        var slew = _tonal.SlewRate;
        var rise = _tonal.RiseRate; // both guards are always given the same rates
        bool hasTonal = _hasTonal, hasLong = _hasLong;
        var i = from;
        for (; i < count; i++)
        {
            if (alarm[i]) break;
            if (_strikes > 0 && ++_sinceStrike > _lastHold + _forgiveAfter)
            {
                _strikes = 0;
                _tonal.CautiousSeconds = _long.CautiousSeconds = 0;
                rise = _tonal.RiseRate;
            }
            longBefore[i] = lGain;
            var t = target[i];
            var lh = longHeard[i];
            // NoHarmGuard.Next, written out for each guard on its locals (passed by reference to a helper they would be
            // kept in memory, not in registers).
            float gLong = 0;
            if (hasLong)
            {
                if (lh == 0 && ltz == 0 && lzz == 0 && ltzSlow == 0 && lzzSlow == 0 && lGain == 0 && float.IsFinite(t))
                {
                    ltt += statRate * (t * t - ltt); // an idle guard: only E[t²] moves
                    lGain = 0;
                }
                else
                {
                    ltz += statRate * (t * lh - ltz);
                    lzz += statRate * (lh * lh - lzz);
                    ltt += statRate * (t * t - ltt);
                    ltzSlow += NoHarmGuard.SlowRate * (t * lh - ltzSlow);
                    lzzSlow += NoHarmGuard.SlowRate * (lh * lh - lzzSlow);
                    lGain += Math.Clamp(NoHarmGuard.Wanted(ltz, lzz, ltt, ltzSlow, lzzSlow) - lGain, -slew, rise);
                }
                gLong = lGain;
            }
            float gTonal = 0;
            if (hasTonal)
            {
                var tt = t - gLong * lh;
                var th = tonalHeard[i];
                if (th == 0 && ttz == 0 && tzz == 0 && ttzSlow == 0 && tzzSlow == 0 && tGain == 0 && float.IsFinite(tt))
                {
                    ttt += statRate * (tt * tt - ttt);
                    tGain = 0;
                }
                else
                {
                    ttz += statRate * (tt * th - ttz);
                    tzz += statRate * (th * th - tzz);
                    ttt += statRate * (tt * tt - ttt);
                    ttzSlow += NoHarmGuard.SlowRate * (tt * th - ttzSlow);
                    tzzSlow += NoHarmGuard.SlowRate * (th * th - tzzSlow);
                    tGain += Math.Clamp(NoHarmGuard.Wanted(ttz, tzz, ttt, ttzSlow, tzzSlow) - tGain, -slew, rise);
                }
                gTonal = tGain;
            }
            longGain[i] = gLong;
            tonalGain[i] = gTonal;
            // HarmSustained(louder && OutputGain > 0.05)
            if (louder[i] && Math.Max(hasTonal ? tGain : 0, hasLong ? lGain : 0) > 0.05f)
            {
                if (++_harmRun >= _harmWindow)
                {
                    _harmRun = 0;
                    harm = true;
                    i++;
                    break;
                }
            }
            else _harmRun = 0;
        }
        _tonal.Set(ttz, tzz, ttt, ttzSlow, tzzSlow, tGain);
        _long.Set(ltz, lzz, ltt, ltzSlow, lzzSlow, lGain);
        return i;
    }

    /// <summary>
    /// Counts consecutive samples where the ear was <paramref name="louder"/> than the noise; true once that has
    /// lasted half a second (the count then starts again): reset the filters, then <see cref="HoldAfterHarm"/>.
    /// </summary>
    public bool HarmSustained(bool louder)
    {
        if (!louder)
        {
            _harmRun = 0;
            return false;
        }
        if (++_harmRun < _harmWindow) return false;
        _harmRun = 0;
        return true;
    }

    /// <summary>
    /// After harm: both gains to 0 at once and held there while the reset filters re-adapt — half a second, doubled
    /// for each further harm until the output has played 10 s past its hold without one (at most 16 s). A canceller
    /// that cannot help (a wrong Ŝ) thus retries ever more rarely instead of harming every second.
    /// </summary>
    public void HoldAfterHarm()
    {
        _lastHold = _harmWindow << Math.Min(_strikes, 5);
        _strikes++;
        _sinceStrike = 0;
        _tonal.Reset();
        _long.Reset();
        _tonal.HoldSamples = _long.HoldSamples = _lastHold;
        // The retry comes up slowly (0.5 s, doubled per strike up to 4 s), so a wrong Ŝ is caught while it is small.
        _tonal.CautiousSeconds = _long.CautiousSeconds = 0.5;
    }

    /// <summary>Whether the gains are held at 0 after harm.</summary>
    public bool Holding => (_hasTonal && _tonal.HoldSamples > 0) || (_hasLong && _long.HoldSamples > 0);

    /// <summary>Harm events since the output last played cleanly for 10 s past its hold.</summary>
    public int Strikes => _strikes;

    /// <summary>Both guards from zero (after the filters were reset); passthrough and the harm count stay.</summary>
    public void Restart()
    {
        _tonal.Reset();
        _long.Reset();
    }

    /// <summary><see cref="Restart"/>, and forget any harm counted so far.</summary>
    public void Reset()
    {
        Restart();
        _harmRun = 0;
        _strikes = _sinceStrike = _lastHold = 0;
        _tonal.CautiousSeconds = _long.CautiousSeconds = 0;
    }

    /// <summary>The tonal guard's state, then the long guard's.</summary>
    public const int StateLength = 2 * NoHarmGuard.StateLength;

    public void SaveState(Span<float> destination)
    {
        _tonal.SaveState(destination[..NoHarmGuard.StateLength]);
        _long.SaveState(destination.Slice(NoHarmGuard.StateLength, NoHarmGuard.StateLength));
    }

    public void LoadState(ReadOnlySpan<float> source)
    {
        _tonal.LoadState(source[..NoHarmGuard.StateLength]);
        _long.LoadState(source.Slice(NoHarmGuard.StateLength, NoHarmGuard.StateLength));
    }
}
