using AncOrleans.Abstractions;
using AncOrleans.Dsp;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// Tells converging from converged: every quarter second of audio the short-term reduction is compared with
/// the last mark; within 1 dB is converged. Backed-off (the no-harm guard has faded the output below 5 % after
/// the first half second) and passthrough (an emergency) take precedence.
/// </summary>
internal sealed class ConvergenceTracker
{
    private double _mark = double.NaN;
    private long _markSamples;
    private bool _converged;

    public void Observe(AncProcessor processor)
    {
        if (processor.SamplesProcessed - _markSamples < processor.Settings.SampleRate / 4) return;
        var now = processor.ShortTermReductionDb;
        _converged = !double.IsNaN(_mark) && Math.Abs(now - _mark) < 1.0;
        _mark = now;
        _markSamples = processor.SamplesProcessed;
    }

    public void Reset()
    {
        _converged = false;
        _mark = double.NaN;
        _markSamples = 0;
    }

    public ConvergenceState StateOf(AncProcessor? processor, bool passthrough) =>
        processor is null ? ConvergenceState.Unconfigured
        : processor.IsPassthrough || passthrough ? ConvergenceState.Passthrough
        : processor.SamplesProcessed > processor.Settings.SampleRate / 2 && processor.OutputGain < 0.05f ? ConvergenceState.BackedOff
        : _converged ? ConvergenceState.Converged : ConvergenceState.Converging;
}
