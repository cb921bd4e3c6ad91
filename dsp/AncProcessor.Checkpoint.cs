namespace AncOrleans.Dsp;

/// <summary>
/// The checkpoint of an <see cref="AncProcessor"/>: filter and guard state, then the signal histories, so a graceful
/// restore resumes sample-exactly. A format, not a memory dump — sessions restore checkpoints written by older
/// silos, so the sections, their order and their lengths must not change (pinned by CheckpointFormatTests). Floats:
/// <code>
///   long branch     W, Φ of the block NLMS (BlockNlms.StateLength)       nlms, hybrid only
///   tonal branch    RLS, then tracker (HarmonicCanceller.StateLength)    rls, hybrid only
///   guards          tonal NoHarmGuard, then long (2 × 5)
///   u               regressor window, L + 2B, oldest first
///   v               output-input window, L + 2B, oldest first
///   regressor delay D + 1, next out first
///   Ŝ histories     inputs of Ŝ*x, Ŝ*y, Ŝ*y_H, Ŝ*y_N (|Ŝ| each), oldest first
///   y rings         y, y_H, y_N (D + 1 each), from the sample the ear hears next
///   block fill      samples of the current block seen (1)
///   block errors    the long branch's a priori errors over that block (B)
/// </code>
/// Guards on load: the length must match this shape and every value be finite, or nothing is loaded. Not saved:
/// the meters and the sample count (a restored processor counts from zero), the harm count. The FD spectra are
/// rebuilt from u and v, and for L + D + |Ŝ| samples the restored weights play but do not adapt (see Adapt).
/// </summary>
public sealed partial class AncProcessor
{
    public int StateLength => (_long?.StateLength ?? 0) + (_tonal?.StateLength ?? 0) + OutputGuard.StateLength + HistoryLength;

    private int HistoryLength => 2 * _u.Length + _regressorDelay.StateLength + _secondary.StateLength + 1 + _blockErrors.Length;

    public float[] SaveState()
    {
        var state = new float[StateLength];
        var span = state.AsSpan();
        _long?.SaveState(Take(ref span, _long.StateLength));
        _tonal?.SaveState(Take(ref span, _tonal.StateLength));
        _guard.SaveState(Take(ref span, OutputGuard.StateLength));
        _u.Window.CopyTo(Take(ref span, _u.Length));
        _v.Window.CopyTo(Take(ref span, _v.Length));
        _regressorDelay.Save(Take(ref span, _regressorDelay.StateLength));
        _secondary.SaveState(Take(ref span, _secondary.StateLength));
        Take(ref span, 1)[0] = _blockFill;
        _blockErrors.CopyTo(Take(ref span, _blockErrors.Length));
        return state;
    }

    public void LoadState(ReadOnlySpan<float> state)
    {
        if (state.Length != StateLength)
            throw new ArgumentException($"Checkpoint has {state.Length} values; this configuration needs {StateLength}.");
        foreach (var value in state)
            if (!float.IsFinite(value)) throw new ArgumentException("Checkpoint contains a non-finite value.");
        _long?.LoadState(Take(ref state, _long.StateLength));
        _tonal?.LoadState(Take(ref state, _tonal.StateLength));
        _guard.LoadState(Take(ref state, OutputGuard.StateLength));
        _u.Load(Take(ref state, _u.Length));
        _v.Load(Take(ref state, _v.Length));
        _regressorDelay.Load(Take(ref state, _regressorDelay.StateLength));
        _secondary.LoadState(Take(ref state, _secondary.StateLength));
        _blockFill = Math.Clamp((int)Take(ref state, 1)[0], 0, _settings.BlockSize - 1);
        Take(ref state, _blockErrors.Length).CopyTo(_blockErrors);
        _long?.RebuildSpectra(_u.Window, _settings.Mode == CancellerMode.AntiNoise ? _v.Window : _u.Window, _blockFill, _scratchU);
        _n = 0;
        _warmup = _settings.FilterLength + _settings.DelaySamples + _secondary.Length;
    }

    private static Span<float> Take(ref Span<float> span, int count)
    {
        var head = span[..count];
        span = span[count..];
        return head;
    }

    private static ReadOnlySpan<float> Take(ref ReadOnlySpan<float> span, int count)
    {
        var head = span[..count];
        span = span[count..];
        return head;
    }
}
