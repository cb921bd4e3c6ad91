namespace AncOrleans.Dsp;

/// <summary>
/// One session's canceller: the tonal and long branches, the secondary-path bookkeeping and the guards.
///
/// Antinoise mode — modified filtered-x LMS/RLS (Bjarnason, "Active noise cancellation using a modified form
/// of the filtered-x LMS algorithm", EUSIPCO 1992; Kuo &amp; Morgan, "Active Noise Control Systems", 1996, §3.4).
/// The ear hears e(n) = d(n) + (S*y)(n). Because we know what we played, we rebuild the noise the listener
/// would hear without us and adapt on it as an open-loop prediction problem, so the loop delay D never enters
/// the adaptation loop (plain delayed FxLMS must shrink μ as D grows):
/// <code>
///   d̂(n)   = e(n) − (Ŝ*y)(n)                 disturbance estimate;  t(n) = −d̂(n)
///   z_N(n) = w_Nᵀ (Ŝ*x)(n−D)                  adapts on  t − z_N            (block NLMS, frequency domain)
///   z_H(n) = tonal model's estimate           adapts on  t − g_N z_N − z_H  (RLS, harmonic basis)
///   y(n+D) = g_H · y_H(n+D) + g_N · w_Nᵀ x(n)  from samples ≤ n only
/// </code>
/// A cascade: the long NLMS filter learns everything it can (room tails, broadband noise with acoustic lead,
/// steady tones — slowly, with a small misadjustment); the RLS tonal model learns what NLMS leaves, as played.
/// So at the start, or on a sweep NLMS cannot follow, the tonal model carries the tones within a few dozen
/// samples, and as NLMS converges the tonal model hands over without either counting the noise twice. Each
/// branch has its own <see cref="NoHarmGuard"/> gain, judged on what that branch actually played, so a branch
/// that cannot predict (NLMS on a fast sweep, the tonal model on broadband) is faded out. nlms runs the long branch only, rls the tonal only.
/// Clean mode (Widrow et al., "Adaptive noise cancelling", Proc. IEEE 63(12), 1975): the same with t = d,
/// regressor x(n−D), output d − g_H z_H − g_N z_N. Allocation-free per sample.
/// </summary>
public sealed class AncProcessor
{
    private AncSettings _settings;
    private readonly BlockNlms? _long;         // long NLMS branch (frequency domain)
    private readonly float[] _zBlock, _yBlock; // the long branch's estimates for the current block
    private readonly float[] _blockErrors;     // its a priori errors over the current block
    private int _blockFill;                    // samples of the current block seen so far
    private readonly float[] _scratchU, _scratchV; // the current block's 2B windows, zero-padded
    private readonly float[] _segment, _firScratch; // scratch for the per-segment filters
    private readonly float[] _heardPlayed, _heardTonal, _heardLong; // Ŝ * (played, raw tonal, raw long) over the segment
    private int _slot;                             // n mod (D + 1): where y(n) sits in the rings
    private readonly HarmonicCanceller? _tonal; // RLS harmonic branch
    private readonly NoHarmGuard _tonalGuard, _longGuard;
    private readonly TapLine _u;           // regressor window: r(n−D) (antinoise) or x(n−D) (clean)
    private readonly TapLine _v;           // output window: x(n) (antinoise)
    private readonly DelayLine _regressorDelay;
    private readonly FirFilter _sHatX;     // Ŝ * x
    private readonly FirFilter _sHatY;     // Ŝ * y (what was played)
    private readonly FirFilter _sHatTonal; // Ŝ * y_H before its gain
    private readonly FirFilter _sHatLong;  // Ŝ * y_N before its gain
    private readonly float[] _played;      // y ring: y(m) at m mod (D+1)
    private readonly float[] _rawTonal;    // y_H ring (unscaled), same indexing
    private readonly float[] _rawLong;     // y_N ring (unscaled)
    private readonly int _harmWindow;      // samples of sustained harm before muting
    private readonly float _shortRate;     // α of the 1 s reduction averages
    private long _n;                       // samples processed by this instance
    private int _harmRun;                  // consecutive samples where the ear got louder
    private int _warmup;                   // samples left before restored weights may adapt again
    private float _noisePowerShort, _residualPowerShort; // 1 s averages of d̂² and e²

    public AncProcessor(AncSettings settings)
    {
        settings.Validate();
        _settings = settings;
        if (settings.UsesLongFilter) _long = new BlockNlms(settings.FilterLength, settings.BlockSize, settings.EffectiveNlmsStep, settings.NlmsRegularisation);
        _zBlock = new float[settings.BlockSize];
        _yBlock = new float[settings.BlockSize];
        _blockErrors = new float[settings.BlockSize];
        _scratchU = new float[2 * settings.BlockSize];
        _scratchV = new float[2 * settings.BlockSize];
        _segment = new float[settings.BlockSize];
        _firScratch = new float[settings.BlockSize + (settings.SecondaryPath?.Length ?? 1)];
        _heardPlayed = new float[settings.BlockSize];
        _heardTonal = new float[settings.BlockSize];
        _heardLong = new float[settings.BlockSize];
        var sHat = settings.SecondaryPath ?? [1f];
        if (settings.UsesHarmonicModel)
            _tonal = new HarmonicCanceller(settings.SampleRate, settings.Harmonics, settings.RlsForgetting, settings.RlsUpdateEvery,
                settings.Mode == CancellerMode.AntiNoise ? sHat : null, settings.DelaySamples);
        _tonalGuard = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        _longGuard = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        var history = (_long?.Length ?? settings.FilterLength) + 2 * settings.BlockSize; // enough to rebuild the FD spectra on restore
        _u = new TapLine(history);
        _v = new TapLine(history);
        _regressorDelay = new DelayLine(settings.DelaySamples);
        _sHatX = new FirFilter(sHat);
        _sHatY = new FirFilter(sHat);
        _sHatTonal = new FirFilter(sHat);
        _sHatLong = new FirFilter(sHat);
        _played = new float[settings.DelaySamples + 1];
        _rawTonal = new float[settings.DelaySamples + 1];
        _rawLong = new float[settings.DelaySamples + 1];
        _harmWindow = settings.SampleRate / 2;
        _shortRate = 1f / settings.SampleRate;
    }

    public AncSettings Settings => _settings;

    /// <summary>
    /// Takes new step sizes in place — μ of the long filter, λ of the tonal model — keeping every weight, when
    /// <paramref name="settings"/> differs from the current ones in nothing else. Returns false (and changes
    /// nothing) otherwise: a new shape needs a new processor.
    /// </summary>
    public bool TryRetune(AncSettings settings)
    {
        if (settings with { NlmsStep = _settings.NlmsStep, RlsForgetting = _settings.RlsForgetting } != _settings) return false;
        settings.Validate();
        if (_long is not null) _long.Step = settings.EffectiveNlmsStep;
        _tonal?.SetForgetting(settings.RlsForgetting);
        _settings = settings;
        return true;
    }

    /// <summary>The gain of the louder branch: 0 when the canceller has backed off entirely.</summary>
    public float OutputGain => Math.Max(_tonal is null ? 0 : _tonalGuard.Gain, _long is null ? 0 : _longGuard.Gain);

    public bool IsPassthrough => _tonalGuard.Passthrough;

    /// <summary>Samples processed by this instance (a restored one counts from zero).</summary>
    public long SamplesProcessed => _n;

    /// <summary>Σ d̂² (noise without ANC, as estimated) since start.</summary>
    public double NoiseEnergy { get; private set; }

    /// <summary>Σ e² (antinoise: what the ear heard; clean: what we returned) since start.</summary>
    public double ResidualEnergy { get; private set; }

    /// <summary>Reduction over about the last second, in dB.</summary>
    public double ShortTermReductionDb => Decibels(_noisePowerShort, _residualPowerShort);

    public double ReductionSinceStartDb => Decibels(NoiseEnergy, ResidualEnergy);

    /// <summary>Times the filters were reset because they became non-finite or made the noise louder.</summary>
    public int Resets { get; private set; }

    public static double Decibels(double noise, double residual) =>
        noise <= 0 || residual <= 0 ? 0 : 10 * Math.Log10(noise / residual);

    /// <summary>
    /// Antinoise mode. Takes x(n) and e(n) for n = n0 … n0+N−1 and writes y(n0+D … n0+D+N−1).
    /// N ≤ D, so that every y(n) the ear heard in this block was produced by an earlier call.
    /// </summary>
    public void ProcessAntiNoise(ReadOnlySpan<float> reference, ReadOnlySpan<float> error, Span<float> antiNoise)
    {
        if (_settings.Mode != CancellerMode.AntiNoise) throw new InvalidOperationException("This session is in clean mode.");
        CheckBlock(reference.Length, error.Length, antiNoise.Length);
        var ring = _played.Length;
        var block = _settings.BlockSize;
        for (var start = 0; start < reference.Length;)
        {
            // A segment: the rest of the current block, or the rest of the input if that comes first.
            var count = Math.Min(reference.Length - start, block - _blockFill);
            var x = reference.Slice(start, count);
            // Everything that depends only on x, or on outputs produced ≥ D samples ago, runs per segment
            // (vectorised across it): Ŝ*x, and Ŝ applied to what was played and to each branch's raw output.
            _sHatX.ProcessBlock(x, _segment, _firScratch);
            for (var i = 0; i < count; i++)
            {
                _u.Push(_regressorDelay.Process(_segment[i]));
                _v.Push(x[i]);
            }
            Heard(_played, _sHatY, count, _heardPlayed);
            Heard(_rawTonal, _sHatTonal, count, _heardTonal);
            Heard(_rawLong, _sHatLong, count, _heardLong);
            if (_long is not null)
            {
                _long.Window(_u.Window, _blockFill + count, _scratchU);
                _long.Window(_v.Window, _blockFill + count, _scratchV);
                _long.BeginBlock(_scratchU, _scratchV, newBlock: _blockFill == 0);
                _long.PredictBlock(_zBlock);
                _long.OutputBlock(_yBlock);
            }
            for (var i = 0; i < count; i++, _n++, _blockFill++)
            {
                var dHat = error[start + i] - _heardPlayed[i];
                _tonal?.Push(x[i]);

                var zTonal = _tonal?.Predict() ?? 0f;
                var zLong = _long is null ? 0f : _zBlock[_blockFill];
                var (gTonal, gLong) = Adapt(-dHat, zTonal, zLong, _heardTonal[i], _heardLong[i]);

                var yTonal = Finite(_tonal?.Output() ?? 0f);
                var yLong = _long is null ? 0f : Finite(_yBlock[_blockFill]);
                var next = gTonal * yTonal + gLong * yLong;
                var ahead = _slot == 0 ? ring - 1 : _slot - 1; // (n + D) mod (D + 1)
                _rawTonal[ahead] = yTonal;
                _rawLong[ahead] = yLong;
                _played[ahead] = next;
                antiNoise[start + i] = next;
                _slot = _slot + 1 == ring ? 0 : _slot + 1;
                Account(dHat, error[start + i]);
            }
            if (_blockFill == block) EndBlock();
            start += count;
        }
        CheckHealth();
    }

    /// <summary>
    /// The device did not play what we sent for the next <paramref name="count"/> samples (≤ D): forget it, so
    /// d̂ = e − Ŝ*y uses y = 0 there — the ear heard the noise alone. Without this the canceller, believing its
    /// output was heard, sees a disturbance of d − Ŝ*y (about twice d when converged) and over-corrects.
    /// </summary>
    public void MarkNotPlayed(int count)
    {
        var ring = _played.Length;
        count = Math.Min(count, ring - 1);
        for (int i = 0, index = _slot; i < count; i++, index = index + 1 == ring ? 0 : index + 1)
            _played[index] = _rawTonal[index] = _rawLong[index] = 0;
    }

    /// <summary>
    /// Frames that never arrived (<paramref name="samples"/> of them): advances time with silence on both mics
    /// and nothing played, so the canceller's clock stays aligned with the device's. At most one second.
    /// </summary>
    public void SkipGap(int samples, Span<float> zeros, Span<float> scratch)
    {
        samples = Math.Min(samples, _settings.SampleRate);
        var chunk = Math.Min(Math.Min(zeros.Length, scratch.Length), _settings.Mode == CancellerMode.AntiNoise ? _settings.DelaySamples : int.MaxValue);
        zeros.Clear();
        for (var done = 0; done < samples && chunk > 0; done += chunk)
        {
            var count = Math.Min(chunk, samples - done);
            if (_settings.Mode == CancellerMode.AntiNoise)
            {
                MarkNotPlayed(count);
                ProcessAntiNoise(zeros[..count], zeros[..count], scratch[..count]);
            }
            else ProcessClean(zeros[..count], zeros[..count], scratch[..count]);
        }
    }

    /// <summary>Clean mode: takes x(n) and d(n), writes d(n) − g_H z_H(n) − g_N z_N(n).</summary>
    public void ProcessClean(ReadOnlySpan<float> reference, ReadOnlySpan<float> primary, Span<float> residual)
    {
        if (_settings.Mode != CancellerMode.Clean) throw new InvalidOperationException("This session is in antinoise mode.");
        CheckBlock(reference.Length, primary.Length, residual.Length);
        var block = _settings.BlockSize;
        for (var start = 0; start < reference.Length;)
        {
            var count = Math.Min(reference.Length - start, block - _blockFill);
            for (var i = start; i < start + count; i++) _u.Push(_regressorDelay.Process(reference[i]));
            if (_long is not null)
            {
                _long.Window(_u.Window, _blockFill + count, _scratchU);
                _long.BeginBlock(_scratchU, default, newBlock: _blockFill == 0);
                _long.PredictBlock(_zBlock);
            }
            for (var i = start; i < start + count; i++, _n++, _blockFill++)
            {
                _tonal?.Push(_u[start + count - 1 - i]); // x(n − D) of this sample
                var zTonal = Finite(_tonal?.Predict() ?? 0f);
                var zLong = _long is null ? 0f : Finite(_zBlock[_blockFill]);
                var target = primary[i];
                var (gTonal, gLong) = Adapt(target, zTonal, zLong, zTonal, zLong);
                var output = target - gTonal * zTonal - gLong * zLong;
                residual[i] = output;
                Account(target, output);
            }
            if (_blockFill == block) EndBlock();
            start += count;
        }
        CheckHealth();
    }

    /// <summary>
    /// The cascade update for one sample, and the two gains to play. z are the branches' a priori estimates;
    /// <paramref name="tonalHeard"/> and <paramref name="longHeard"/> are what each branch's unscaled output
    /// adds at the ear now (in clean mode, the estimates themselves).
    /// </summary>
    private (float Tonal, float Long) Adapt(float target, float zTonal, float zLong, float tonalHeard, float longHeard)
    {
        _blockErrors[_blockFill] = 0;
        if (_warmup > 0)
        {
            // After a restore the histories (and what was played) may be stale: play with the restored
            // weights, but learn nothing from a wrong d̂ until the windows have refilled.
            _warmup--;
            return (_tonalGuard.Gain, _longGuard.Gain);
        }
        // NLMS first, on its own error; the tonal model learns what NLMS leaves as it is actually played.
        _blockErrors[_blockFill] = target - zLong;
        _tonal?.Update(target - _longGuard.Gain * zLong - zTonal);
        var gLong = _long is null ? 0 : _longGuard.Next(target, longHeard);
        var gTonal = _tonal is null ? 0 : _tonalGuard.Next(target - gLong * longHeard, tonalHeard);
        return (gTonal, gLong);
    }

    /// <summary>Ŝ applied to a ring's values for the segment's sample times (all written ≥ D samples ago).</summary>
    private void Heard(float[] ringBuffer, FirFilter secondary, int count, float[] destination)
    {
        var ring = ringBuffer.Length;
        for (int i = 0, slot = _slot; i < count; i++, slot = slot + 1 == ring ? 0 : slot + 1) _segment[i] = ringBuffer[slot];
        secondary.ProcessBlock(_segment.AsSpan(0, count), destination, _firScratch);
    }

    /// <summary>Closes a block of the long branch: its update on the block's errors.</summary>
    private void EndBlock()
    {
        _blockFill = 0;
        _long?.EndBlock(_blockErrors);
    }

    private static float Finite(float value) => float.IsFinite(value) ? value : 0f;

    private void CheckBlock(int reference, int other, int output)
    {
        if (reference != other || reference != output)
            throw new ArgumentException($"Block lengths differ: reference {reference}, second channel {other}, output {output}.");
        if (_settings.Mode == CancellerMode.AntiNoise && reference > _settings.DelaySamples)
            throw new ArgumentException($"A block of {reference} samples is longer than the loop delay D = {_settings.DelaySamples}.");
    }

    private void Account(float noise, float residual)
    {
        NoiseEnergy += noise * noise;
        ResidualEnergy += residual * residual;
        _noisePowerShort += _shortRate * (noise * noise - _noisePowerShort);
        _residualPowerShort += _shortRate * (residual * residual - _residualPowerShort);

        // Do no harm: the ear louder than the noise by > 1 dB for half a second → mute, reset, re-adapt.
        if (_settings.Mode == CancellerMode.AntiNoise && _warmup == 0 && _residualPowerShort > 1.26f * _noisePowerShort && OutputGain > 0.05f)
        {
            if (++_harmRun >= _harmWindow)
            {
                _harmRun = 0;
                ResetFilters();
                _tonalGuard.HoldSamples = _longGuard.HoldSamples = _harmWindow;
                Resets++;
            }
        }
        else _harmRun = 0;
    }

    private void ResetFilters()
    {
        _long?.Reset();
        _tonal?.Rls.Reset();
        _tonalGuard.Reset();
        _longGuard.Reset();
    }

    private void CheckHealth()
    {
        if ((_long?.IsHealthy ?? true) && (_tonal?.IsHealthy ?? true)) return;
        ResetFilters();
        Resets++;
    }

    /// <summary>Fades the output out (emergency passthrough) or lets it back in.</summary>
    public void Passthrough(bool on) => _tonalGuard.Passthrough = _longGuard.Passthrough = on;

    /// <summary>Filter + guard state, then the signal histories, so a graceful restore resumes sample-exactly.</summary>
    public int StateLength => (_long?.StateLength ?? 0) + (_tonal?.StateLength ?? 0) + 2 * NoHarmGuard.StateLength + HistoryLength;

    private int HistoryLength => 2 * _u.Length + _regressorDelay.StateLength + 4 * _sHatX.Length + 3 * _played.Length + 1 + _blockErrors.Length;

    public float[] SaveState()
    {
        var state = new float[StateLength];
        var span = state.AsSpan();
        _long?.SaveState(Take(ref span, _long.StateLength));
        _tonal?.SaveState(Take(ref span, _tonal.StateLength));
        _tonalGuard.SaveState(Take(ref span, NoHarmGuard.StateLength));
        _longGuard.SaveState(Take(ref span, NoHarmGuard.StateLength));
        _u.Window.CopyTo(Take(ref span, _u.Length));
        _v.Window.CopyTo(Take(ref span, _v.Length));
        _regressorDelay.Save(Take(ref span, _regressorDelay.StateLength));
        foreach (var fir in new[] { _sHatX, _sHatY, _sHatTonal, _sHatLong }) fir.History.CopyTo(Take(ref span, fir.Length));
        foreach (var ringBuffer in new[] { _played, _rawTonal, _rawLong })
        {
            var target = Take(ref span, ringBuffer.Length);
            for (var k = 0; k < ringBuffer.Length; k++) target[k] = ringBuffer[(_slot + k) % ringBuffer.Length];
        }
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
        _tonalGuard.LoadState(Take(ref state, NoHarmGuard.StateLength));
        _longGuard.LoadState(Take(ref state, NoHarmGuard.StateLength));
        _u.Load(Take(ref state, _u.Length));
        _v.Load(Take(ref state, _v.Length));
        _regressorDelay.Load(Take(ref state, _regressorDelay.StateLength));
        foreach (var fir in new[] { _sHatX, _sHatY, _sHatTonal, _sHatLong }) fir.LoadHistory(Take(ref state, fir.Length));
        foreach (var ringBuffer in new[] { _played, _rawTonal, _rawLong }) Take(ref state, ringBuffer.Length).CopyTo(ringBuffer);
        _slot = 0;
        _blockFill = Math.Clamp((int)Take(ref state, 1)[0], 0, _settings.BlockSize - 1);
        Take(ref state, _blockErrors.Length).CopyTo(_blockErrors);
        _long?.RebuildSpectra(_u.Window, _settings.Mode == CancellerMode.AntiNoise ? _v.Window : _u.Window, _blockFill, _scratchU);
        _n = 0;
        _warmup = _settings.FilterLength + _settings.DelaySamples + _sHatX.Length;
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

    public void Reset()
    {
        _long?.Reset();
        _tonal?.Reset();
        _tonalGuard.Reset();
        _longGuard.Reset();
        _u.Clear();
        _v.Clear();
        _regressorDelay.Clear();
        foreach (var fir in new[] { _sHatX, _sHatY, _sHatTonal, _sHatLong }) fir.Clear();
        Array.Clear(_played);
        Array.Clear(_rawTonal);
        Array.Clear(_rawLong);
        _slot = 0;
        _blockFill = 0;
        NoiseEnergy = ResidualEnergy = 0;
        _noisePowerShort = _residualPowerShort = 0;
        _harmRun = 0;
        _warmup = 0;
    }
}
