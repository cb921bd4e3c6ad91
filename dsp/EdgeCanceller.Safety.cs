namespace AncOrleans.Dsp;

/// <summary>
/// What keeps edge mode safe when the device plays the cloud's sets on its own: the emergency passthrough (a zero set
/// at once, nothing else until it ends) and the divergence guard (<see cref="DivergenceDetector"/> on x, e and the
/// replica's Ŝ*y: with a wrong Ŝ, d̂ lies, so the guards built on it cannot see the harm).
/// </summary>
public sealed partial class EdgeCanceller
{
    /// <summary>True while an emergency holds the device's anti-noise at zero.</summary>
    public bool Passthrough => _passthrough;

    /// <summary>
    /// The emergency path. On: returns an all-zero set to send at once (when the device may be playing a non-zero
    /// one), and no other set is sent until it is turned off; the adaptation goes on, so the filter is ready when
    /// the emergency is over. Off: the next block end may send the current filter again.
    /// </summary>
    public CoefficientSet? SetPassthrough(bool on)
    {
        if (on == _passthrough) return null;
        _passthrough = on;
        if (!on)
        {
            _lastSentAt = long.MinValue / 2;
            return null;
        }
        return _sentNonZero ? Send(zero: true) : null;
    }

    /// <summary>Times the ear was louder than no ANC because of what the device played (see <see cref="DivergenceDetector"/>).</summary>
    public int Divergences { get; private set; }

    /// <summary>
    /// The ear is louder than no ANC and our set could be the cause (a wrong Ŝ makes d̂ lie, so the guards on d̂ cannot
    /// see it): forget the filter, send zeros at once, and send nothing else for a hold that starts at 0.5 s and
    /// doubles with each repeat within 10 s (at most 16 s), as in the antinoise canceller.
    /// </summary>
    private CoefficientSet Harm()
    {
        Divergences++;
        var half = _settings.SampleRate / 2;
        _holdSamples = _n - _lastHarmAt > 10L * _settings.SampleRate ? half : Math.Min(2 * _holdSamples, 16L * _settings.SampleRate);
        _lastHarmAt = _n;
        _holdUntil = _n + _holdSamples;
        _nlms.Reset();
        Restart();
        return Send(zero: true);
    }
}
