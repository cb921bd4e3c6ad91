namespace AncOrleans.Dsp;

/// <summary>
/// The edge canceller's checkpoint. Layout (floats): [0] version ≫ 16, [1] version &amp; 0xFFFF (the last set sent;
/// two halves so a float holds it exactly), [2, 2 + L) its taps, then the block NLMS's state (weights per partition,
/// re and im, and the per-bin power). Only the newest set is kept: a device still tagging an older one is
/// resynchronised by <see cref="Process"/>.
/// </summary>
public sealed partial class EdgeCanceller
{
    /// <summary>Values in a checkpoint: the last set sent (its version in two 16-bit halves, its taps) and the filter.</summary>
    public int StateLength => 2 + _weights.Length + _nlms.StateLength;

    /// <summary>
    /// Checkpoint: the last set sent and the adaptive filter, so a restarted session knows the set the device is most
    /// likely playing and goes on from the filter it had. Older sets are not kept: a device still tagging one gets a
    /// fresh set after an update period (see <see cref="Process"/>).
    /// </summary>
    public float[] SaveState()
    {
        var state = new float[StateLength];
        var version = _nextVersion - 1;
        state[0] = version >> 16;
        state[1] = version & 0xFFFF;
        _sent.CopyTo(state.AsSpan(2));
        _nlms.SaveState(state.AsSpan(2 + _sent.Length));
        return state;
    }

    /// <summary>Restores <see cref="SaveState"/>. Throws <see cref="ArgumentException"/> when it does not fit or holds a non-finite value.</summary>
    public void LoadState(ReadOnlySpan<float> state)
    {
        if (state.Length != StateLength) throw new ArgumentException($"Checkpoint has {state.Length} values; this configuration needs {StateLength}.");
        if (!AllFinite(state)) throw new ArgumentException("Checkpoint contains a non-finite value.");
        var version = ((uint)state[0] << 16) | (uint)state[1];
        _nlms.LoadState(state[(2 + _sent.Length)..]);
        state.Slice(2, _sent.Length).CopyTo(_sent);
        _sentNonZero = _sent.AsSpan().IndexOfAnyExcept(0f) >= 0;
        if (version > 0)
        {
            var taps = SpareTaps();
            _sent.CopyTo(taps, 0);
            _sets[version] = new CoefficientSet(version, taps, _settings.CrossfadeSamples, 0);
            _order.Enqueue(version);
            Forget();
        }
        _nextVersion = version + 1;
        WarmStarted = true; // the restored filter is already adapted
        _lsFit = null;
        _lsRegressor = _lsTarget = null;
        Restart();
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (var value in values)
            if (!float.IsFinite(value)) return false;
        return true;
    }
}
