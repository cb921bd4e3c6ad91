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
/// <c>FadeSeconds</c>; and, the last resort, when the ear has been louder than the noise for half a second
/// (<see cref="HarmSustained"/>) the caller resets the filters and both gains are held at 0 for another half second.
/// </summary>
internal sealed class OutputGuard
{
    private readonly NoHarmGuard _tonal, _long;
    private readonly bool _hasTonal, _hasLong; // which branches run
    private readonly int _harmWindow;          // samples of sustained harm before muting
    private int _harmRun;                      // consecutive samples where the ear got louder

    public OutputGuard(AncSettings settings)
    {
        _hasTonal = settings.UsesHarmonicModel;
        _hasLong = settings.UsesLongFilter;
        _tonal = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        _long = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        _harmWindow = settings.SampleRate / 2;
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

    /// <summary>Feeds one sample of target and of what each branch adds at the ear; returns the gains to play now.</summary>
    public (float Tonal, float Long) Next(float target, float tonalHeard, float longHeard)
    {
        var gLong = _hasLong ? _long.Next(target, longHeard) : 0;
        var gTonal = _hasTonal ? _tonal.Next(target - gLong * longHeard, tonalHeard) : 0;
        return (gTonal, gLong);
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

    /// <summary>Holds both gains at 0 for half a second while the reset filters re-adapt.</summary>
    public void HoldAfterHarm() => _tonal.HoldSamples = _long.HoldSamples = _harmWindow;

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
