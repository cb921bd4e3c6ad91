namespace AncOrleans.Dsp;

/// <summary>
/// The cloud side of edge mode (<see cref="EdgeCanceller"/>). Defaults: L = 512, B = 128 at 48 kHz, a set at most
/// every 100 ms, cross-fade 10 ms; the step and the export threshold are the values measured in docs/dsp.md.
/// </summary>
public sealed record EdgeSettings
{
    public int SampleRate { get; init; } = 48_000;
    public int FilterLength { get; init; } = 512;
    public int BlockSize { get; init; } = 128;

    /// <summary>Ŝ(z), speaker → error mic. Null: a unit impulse.</summary>
    public float[]? SecondaryPath { get; init; }

    /// <summary>μ of the block NLMS (normalised per bin). The cloud's problem is open-loop at D = 0: a clean-mode-like step.</summary>
    public float Step { get; init; } = 0.5f;

    public float Regularisation { get; init; } = 1e-4f;

    /// <summary>N: a new set at most every this many ms.</summary>
    public double UpdateMs { get; init; } = 100;

    /// <summary>A set is sent only when ‖W − W_last‖ / ‖W_last‖ exceeds this (−54 dB by default).</summary>
    public double MinRelativeChange { get; init; } = 0.002;

    /// <summary>F: how many samples the device cross-fades from the old set to the new one.</summary>
    public int CrossfadeSamples { get; init; } = 480;

    /// <summary>
    /// The fraction of the audio adapted on once converged (1: all of it). Below 1 the cloud adapts in bursts of
    /// <see cref="DutyPeriodMs"/> × duty and only counts frames in between: its CPU per device falls about in proportion.
    /// </summary>
    public double DutyCycle { get; init; } = 1.0;

    public double DutyPeriodMs { get; init; } = 2000;

    /// <summary>
    /// Where in the duty period this stream's burst begins, as a fraction of the period ([0, 1)). A silo's sessions
    /// start together when a scale-out or a fleet's reconnect brings them at once: with one phase their bursts (and
    /// their CPU) would coincide every period; the session grain sets it from a hash of the session id.
    /// </summary>
    public double DutyPhase { get; init; }

    /// <summary>
    /// With a duty cycle below 1: the process's budget of sessions converging at full duty at once (a lease each, see
    /// <see cref="ConvergenceLeases"/>); a session without one follows its duty cycle until it gets one. Null: no limit.
    /// </summary>
    public ConvergenceLeases? Convergence { get; init; }

    /// <summary>Reduction (dB, a priori, at zero latency) above which the filter counts as converged for the duty cycle.</summary>
    public double ConvergedDb { get; init; } = 20;

    /// <summary>
    /// The least-squares warm start: after this much usable audio the cloud loads the LS filter fitted on it into the
    /// NLMS (see EdgeCanceller.WarmStart.cs). 0: off (the NLMS alone).
    /// </summary>
    public double WarmStartMs { get; init; } = 500;

    /// <summary>
    /// Solve the warm start in the background (<see cref="WarmStartQueue"/>: one solve at a time per process) and load
    /// it at the first frame after it is done (live sessions: the solve, tens of ms, must not hold up a frame's reply,
    /// and sessions started together would otherwise all solve in the same turn). False (offline evaluation, tests): solved in the frame that completes the record, deterministic.
    /// </summary>
    public bool WarmStartInBackground { get; init; }

    public int UpdateSamples => Math.Max(1, (int)Math.Round(UpdateMs * SampleRate / 1000.0));

    public void Validate()
    {
        if (SampleRate is < 8_000 or > 96_000) throw new ArgumentException($"sampleRate {SampleRate} is outside 8000–96000 Hz.");
        if (FilterLength is < 8 or > 8192) throw new ArgumentException($"filterLength {FilterLength} is outside 8–8192.");
        if (BlockSize < 8 || BlockSize > FilterLength || (BlockSize & (BlockSize - 1)) != 0)
            throw new ArgumentException($"blockSize {BlockSize} must be a power of two from 8 to the filter length.");
        if (!(Step > 0 && Step < 2)) throw new ArgumentException($"step {Step} must be in (0, 2).");
        if (!double.IsFinite(UpdateMs) || UpdateMs is < 1 or > 60_000) throw new ArgumentException($"updateMs {UpdateMs} is outside 1–60000.");
        if (!double.IsFinite(DutyCycle) || DutyCycle is <= 0 or > 1) throw new ArgumentException($"dutyCycle {DutyCycle} must be in (0, 1].");
        if (!double.IsFinite(DutyPhase) || DutyPhase is < 0 or >= 1) throw new ArgumentException($"dutyPhase {DutyPhase} must be in [0, 1).");
        if (!double.IsFinite(WarmStartMs) || WarmStartMs is < 0 or > 10_000) throw new ArgumentException($"warmStartMs {WarmStartMs} is outside 0–10000.");
        if (CrossfadeSamples < 0 || CrossfadeSamples > SampleRate) throw new ArgumentException($"crossfade {CrossfadeSamples} samples is outside 0–1 s.");
        if (SecondaryPath is { } path)
        {
            if (path.Length is 0 or > 4096) throw new ArgumentException("secondaryPath must have 1–4096 taps.");
            foreach (var tap in path)
                if (!float.IsFinite(tap)) throw new ArgumentException("secondaryPath contains a non-finite tap.");
        }
    }
}
