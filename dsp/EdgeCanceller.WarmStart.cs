namespace AncOrleans.Dsp;

/// <summary>
/// Edge mode's warm start: the block NLMS alone takes 4–8 s to settle within 3 dB of its final reduction on broadband
/// noise (the partitioned filter's slow low-frequency modes: at 48 kHz a 2B = 256-point block puts 60–1000 Hz in
/// six bins, and the partitions' regressors are strongly correlated there, which per-bin normalisation does not undo).
/// So once per session the cloud collects the first <see cref="EdgeSettings.WarmStartMs"/> of usable, contiguous
/// regressor r = Ŝ*x and target t = −d̂, solves the least-squares filter of length L on it (<see cref="LeastSquaresFir"/>,
/// an exact one-shot RLS over that record), and loads it into the NLMS, which then goes on adapting from there.
/// Guards: a restart (gap, unknown version, duty-cycle burst) empties the record, since it must be contiguous; a fit
/// that is not finite, or whose a-priori error on the record is not below the record's target power, is not loaded.
/// Cost: one O(N·L + L²) solve per session (2NL ≈ 25 M multiply-adds for the correlations and ≈ 2L² = 0.5 M for Levinson's recursion at N = 24 000, L = 512) and N + N floats
/// held until then; it re-arms only on <see cref="EdgeCanceller.Reset"/>, not on a checkpoint restore. With
/// <see cref="EdgeSettings.WarmStartInBackground"/> the solve is queued behind other sessions' on one background thread
/// (<see cref="WarmStartQueue"/>) and loaded at the first frame after it finishes (the NLMS adapts meanwhile; the fit
/// is for the same, barely moving path).
/// </summary>
public sealed partial class EdgeCanceller
{
    private float[]? _lsRegressor, _lsTarget;
    private int _lsCount;
    private Task<float[]?>? _lsFit;            // the background solve, when WarmStartInBackground

    /// <summary>True once the least-squares warm start has been loaded (or is off, or the state was restored).</summary>
    public bool WarmStarted { get; private set; }

    private void ArmWarmStart()
    {
        var capacity = (int)Math.Round(_settings.WarmStartMs * _settings.SampleRate / 1000);
        WarmStarted = capacity < 2 * _nlms.Length;
        _lsRegressor = WarmStarted ? null : new float[capacity];
        _lsTarget = WarmStarted ? null : new float[capacity];
        _lsCount = 0;
        _lsFit = null;
    }

    /// <summary>At the start of a frame: loads a background fit that has finished.</summary>
    private void PollWarmStart()
    {
        if (_lsFit is not { IsCompleted: true } fit) return;
        _lsFit = null;
        if (fit.IsCompletedSuccessfully && fit.Result is { } taps) _nlms.ImportWeights(taps);
        WarmStarted = true;
    }

    private static float[]? Solve(float[] regressor, float[] target, int length) =>
        LeastSquaresFir.Fit(regressor, target, length) is { } taps && Improves(taps, regressor, target) ? taps : null;

    /// <summary>One usable sample of the open-loop problem: r(n) = (Ŝ*x)(n), t(n) = −d̂(n).</summary>
    private void Collect(float regressor, float target)
    {
        if (WarmStarted || _lsRegressor is null || _lsTarget is null) return;
        _lsRegressor[_lsCount] = regressor;
        _lsTarget[_lsCount] = target;
        if (++_lsCount < _lsRegressor.Length) return;
        var (record, goal, length) = (_lsRegressor, _lsTarget, _nlms.Length);
        _lsRegressor = _lsTarget = null;
        if (_settings.WarmStartInBackground)
        {
            _lsFit = SolveInBackground(record, goal, length);
            return;
        }
        if (Solve(record, goal, length) is { } taps) _nlms.ImportWeights(taps);
        WarmStarted = true;
    }

    // A method of its own: the lambda's captured locals would otherwise be hoisted into a closure that Collect,
    // called for every sample, allocated on entry (40 bytes a sample, 1.9 MB per second of audio, before 2026-11-30).
    private static Task<float[]?> SolveInBackground(float[] record, float[] goal, int length) =>
        WarmStartQueue.Enqueue(() => Solve(record, goal, length));

    // Whether the fit's a-priori error on its own record is below the record's power: z = w * r on the record with zero
    // pre-history, all outputs at once (BlockFir over the record behind L − 1 zeros: N·L multiply-adds, ~12 M at
    // N = 24 000, L = 512; the line and z come from the shared pool). Float products summed in float: the test is a
    // comparison of two sums of squares, which rounding at 1e-6 does not turn.
    private static bool Improves(float[] taps, float[] regressor, float[] target)
    {
        var length = taps.Length;
        var n = target.Length;
        var reversed = new float[length];
        for (var k = 0; k < length; k++) reversed[k] = taps[length - 1 - k];
        var pool = System.Buffers.ArrayPool<float>.Shared;
        var line = pool.Rent(length - 1 + n);
        var z = pool.Rent(n);
        try
        {
            Array.Clear(line, 0, length - 1);
            regressor.AsSpan(0, n).CopyTo(line.AsSpan(length - 1));
            BlockFir.Convolve(line.AsSpan(0, length - 1 + n), reversed, z.AsSpan(0, n));
            double error = 0, power = 0;
            for (var m = 0; m < n; m++)
            {
                double t = target[m], e = t - z[m];
                error += e * e;
                power += t * t;
            }
            return double.IsFinite(error) && error < power;
        }
        finally
        {
            pool.Return(line);
            pool.Return(z);
        }
    }
}
