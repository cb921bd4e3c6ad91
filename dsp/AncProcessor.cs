using System.Runtime.CompilerServices;

namespace AncOrleans.Dsp;

/// <summary>
/// One session's canceller: runs the tonal and long branches as a cascade, per segment and per sample.
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
/// A cascade: the long NLMS filter (<see cref="BlockNlms"/>) learns everything it can (room tails, broadband
/// noise with acoustic lead, steady tones — slowly, with a small misadjustment); the RLS tonal model
/// (<see cref="HarmonicCanceller"/>) learns what NLMS leaves, as played. So at the start, or on a sweep NLMS cannot
/// follow, the tonal model carries the tones within a few dozen samples, and as NLMS converges the tonal model
/// hands over without either counting the noise twice. nlms runs the long branch only, rls the tonal only.
/// Clean mode (Widrow et al., "Adaptive noise cancelling", Proc. IEEE 63(12), 1975): the same with t = d,
/// regressor x(n−D), output d − g_H z_H − g_N z_N.
/// The parts: <see cref="SecondaryPathModel"/> (Ŝ*x, d̂ and what each branch adds at the ear, not-played output),
/// <see cref="OutputGuard"/> (the gains g_H, g_N, passthrough, the harm mute), <see cref="NoiseReductionMeter"/>;
/// the checkpoint format is in AncProcessor.Checkpoint.cs. Guards here — a NaN never reaches the weights or the
/// device, and the ear is never made louder than without ANC:
/// <list type="bullet">
/// <item>a branch whose raw output is non-finite or beyond <see cref="BranchLimit"/> plays 0 and is reset at the end of
/// the call, as is a branch whose weights turn non-finite; non-finite errors never reach the weights (BlockNlms, RlsCore);</item>
/// <item>what is played is finite and clipped to full scale, as the device's codec would clip it, so the rings (and
/// d̂) hold exactly what the ear hears;</item>
/// <item>harm — the ear louder than d̂ by 1 dB for 0.5 s, or louder than no ANC as <see cref="DivergenceDetector"/>
/// judges it from the microphones alone (d̂ is wrong exactly when Ŝ is) — resets both branches and mutes the output at
/// once, with a hold that doubles on each further harm (<see cref="OutputGuard.HoldAfterHarm"/>);</item>
/// <item>after a restore the weights play but do not adapt until the histories have refilled.</item>
/// </list>
/// Cost structure (antinoise mode): per segment (the rest of a block, at most one call's worth), first what depends only on
/// the mics and on outputs ≥ D samples old — Ŝ*x and what each branch's output adds at the ear (vectorised), the tracker
/// (<see cref="HarmonicCanceller.PushBlock"/>), d̂, the divergence test and the meter, the two guards with their harm
/// events (<see cref="OutputGuard.RunSegment"/>), each a loop with its state in registers — then the per-sample loop of
/// the two branches, which takes its gains and events from those passes. The same operations in the same order as one
/// sample at a time, so the same results.
/// Allocation-free per sample.
/// Longer than 350 lines: the per-sample cascade and its guards read best in one place; the checkpoint layout is
/// in AncProcessor.Checkpoint.cs, Ŝ in SecondaryPathModel, the gains in OutputGuard.
/// </summary>
public sealed partial class AncProcessor
{
    private AncSettings _settings;
    private readonly BlockNlms? _long;         // long NLMS branch (frequency domain)
    private readonly float[] _zBlock, _yBlock; // the long branch's estimates for the current block
    private readonly float[] _blockErrors;     // its a priori errors over the current block
    private readonly float[] _dHat, _target;   // per segment: d̂ and t = −d̂ (antinoise)
    private readonly float[] _tonalGain, _longGain, _longBefore; // per segment: the gains played, the long gain before each update
    private readonly bool[] _alarms, _louder;  // per segment: the divergence test's alarms, the meter's ear-louder test
    private readonly byte[] _events;           // per segment: Adapts, ResetBefore, ResetAfter
    private readonly float[] _yTonalSegment, _yLongSegment; // per segment: each branch's raw output, for Ŝ's rings
    private int _blockFill;                    // samples of the current block seen so far
    private readonly float[] _scratchU, _scratchV; // the current block's 2B windows, zero-padded
    private readonly HarmonicCanceller? _tonal; // RLS harmonic branch
    private readonly TapLine _u;           // regressor window: r(n−D) (antinoise) or x(n−D) (clean)
    private readonly TapLine _v;           // output window: x(n) (antinoise)
    private readonly DelayLine _regressorDelay;
    private readonly float[] _delayed;     // scratch: the segment's regressor, (Ŝ*x)(n − D)
    private readonly SecondaryPathModel _secondary; // Ŝ*x, Ŝ*(y, y_H, y_N) and the rings of what was played
    private readonly OutputGuard _guard;
    private readonly NoiseReductionMeter _meter;
    private readonly DivergenceDetector _divergence; // the ear louder than no ANC, judged without Ŝ
    private bool _tonalBlownUp, _longBlownUp;        // a branch's output was non-finite or exploded in this call
    private long _n;                       // samples processed by this instance
    private int _warmup;                   // samples left before restored weights may adapt again

    public AncProcessor(AncSettings settings)
    {
        settings.Validate();
        _settings = settings;
        if (settings.UsesLongFilter) _long = new BlockNlms(settings.FilterLength, settings.BlockSize, settings.EffectiveNlmsStep, settings.NlmsRegularisation);
        _zBlock = SessionArray.Of<float>(settings.BlockSize);
        _yBlock = SessionArray.Of<float>(settings.BlockSize);
        _blockErrors = SessionArray.Of<float>(settings.BlockSize);
        _dHat = SessionArray.Of<float>(settings.BlockSize);
        _target = SessionArray.Of<float>(settings.BlockSize);
        _tonalGain = SessionArray.Of<float>(settings.BlockSize);
        _longGain = SessionArray.Of<float>(settings.BlockSize);
        _longBefore = SessionArray.Of<float>(settings.BlockSize);
        _alarms = SessionArray.Of<bool>(settings.BlockSize);
        _louder = SessionArray.Of<bool>(settings.BlockSize);
        _events = SessionArray.Of<byte>(settings.BlockSize);
        _yTonalSegment = SessionArray.Of<float>(settings.BlockSize);
        _yLongSegment = SessionArray.Of<float>(settings.BlockSize);
        _scratchU = SessionArray.Of<float>(2 * settings.BlockSize);
        _scratchV = SessionArray.Of<float>(2 * settings.BlockSize);
        var sHat = settings.SecondaryPath ?? [1f];
        if (settings.UsesHarmonicModel)
            _tonal = new HarmonicCanceller(settings.SampleRate, settings.Harmonics, settings.RlsForgetting, settings.RlsUpdateEvery,
                settings.Mode == CancellerMode.AntiNoise ? sHat : null, settings.DelaySamples, settings.BlockSize);
        _guard = new OutputGuard(settings);
        var history = (_long?.Length ?? settings.FilterLength) + 2 * settings.BlockSize; // enough to rebuild the FD spectra on restore
        _u = new TapLine(history);
        _v = new TapLine(history);
        _regressorDelay = new DelayLine(settings.DelaySamples);
        _delayed = SessionArray.Of<float>(settings.BlockSize);
        _secondary = new SecondaryPathModel(sHat, settings.DelaySamples, settings.BlockSize);
        _meter = new NoiseReductionMeter(settings.SampleRate);
        _divergence = new DivergenceDetector(settings.SampleRate);
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
    public float OutputGain => _guard.OutputGain;

    public bool IsPassthrough => _guard.Passthrough;

    /// <summary>Fades the output out (emergency passthrough) or lets it back in.</summary>
    public void Passthrough(bool on) => _guard.Passthrough = on;

    /// <summary>Samples processed by this instance (a restored one counts from zero).</summary>
    public long SamplesProcessed => _n;

    /// <summary>Σ d̂² (noise without ANC, as estimated) since start.</summary>
    public double NoiseEnergy => _meter.NoiseEnergy;

    /// <summary>Σ e² (antinoise: what the ear heard; clean: what we returned) since start.</summary>
    public double ResidualEnergy => _meter.ResidualEnergy;

    /// <summary>Reduction over about the last second, in dB.</summary>
    public double ShortTermReductionDb => _meter.ShortTermReductionDb;

    public double ReductionSinceStartDb => _meter.ReductionSinceStartDb;

    /// <summary>Times the filters were reset because they became non-finite or made the noise louder.</summary>
    public int Resets { get; private set; }

    /// <summary>Times the ear got louder than without ANC (or than d̂ for 0.5 s) and the output was muted.</summary>
    public int Divergences { get; private set; }

    /// <summary>Full scale: the most the device can play (its codec clips there).</summary>
    public const float FullScale = 1f;

    /// <summary>A branch's raw output beyond this (12 dB over full scale) means the branch has blown up.</summary>
    public const float BranchLimit = 4f;

    /// <summary>10 log10(noise / residual), 0 when either is 0.</summary>
    public static double Decibels(double noise, double residual) => NoiseReductionMeter.Decibels(noise, residual);

    /// <summary>
    /// Antinoise mode. Takes x(n) and e(n) for n = n0 … n0+N−1 and writes y(n0+D … n0+D+N−1).
    /// N ≤ D, so that every y(n) the ear heard in this block was produced by an earlier call.
    /// When <paramref name="noiseEstimate"/> is given (same length), d̂(n) = e(n) − (Ŝ*y)(n) is written there, for
    /// a viewer's spectrum; empty (the default) costs nothing.
    /// </summary>
    public void ProcessAntiNoise(ReadOnlySpan<float> reference, ReadOnlySpan<float> error, Span<float> antiNoise, Span<float> noiseEstimate = default)
    {
        var tap = !noiseEstimate.IsEmpty;
        if (tap && noiseEstimate.Length != reference.Length)
            throw new ArgumentException($"The noise estimate holds {noiseEstimate.Length} samples, the block {reference.Length}.");
        if (_settings.Mode != CancellerMode.AntiNoise) throw new InvalidOperationException("This session is in clean mode.");
        CheckBlock(reference.Length, error.Length, antiNoise.Length);
        var block = _settings.BlockSize;
        for (var start = 0; start < reference.Length;)
        {
            // A segment: the rest of the current block, or the rest of the input if that comes first.
            var count = Math.Min(reference.Length - start, block - _blockFill);
            var x = reference.Slice(start, count);
            // Everything that depends only on x, or on outputs produced ≥ D samples ago, runs per segment
            // (vectorised across it): Ŝ*x, and Ŝ applied to what was played and to each branch's raw output.
            var delayed = _delayed.AsSpan(0, count);
            _regressorDelay.ProcessBlock(_secondary.FilterReference(x), delayed);
            _u.PushBlock(delayed);
            _v.PushBlock(x);
            _secondary.HearSegment(count);
            var heardPlayed = _secondary.HeardPlayed;
            var heardTonal = _secondary.HeardTonal;
            var heardLong = _secondary.HeardLong;
            if (_long is not null)
            {
                _long.Window(_u.Window, _blockFill + count, _scratchU);
                _long.Window(_v.Window, _blockFill + count, _scratchV);
                _long.BeginBlock(_scratchU, _scratchV, newBlock: _blockFill == 0);
                _long.PredictBlock(_zBlock);
                _long.OutputBlock(_yBlock);
            }
            // The guards, the meter and the divergence test see only what is known for the whole segment (the mics, and what
            // each branch's output of ≥ D samples ago adds at the ear), never this segment's outputs: they run first, each in
            // a pass of its own with its state in registers, and hand the loop below its gains and its harm events.
            Control(x, error.Slice(start, count), heardPlayed, heardTonal, heardLong, tap ? noiseEstimate.Slice(start, count) : default);
            var target = _target.AsSpan(0, count);
            _tonal?.PushBlock(x); // the tracker reads only x: it runs over the segment first, its state in registers
            for (var i = 0; i < count; i++, _n++, _blockFill++)
            {
                var events = _events[i];
                if ((events & ResetBefore) != 0) ResetBranches();
                _tonal?.Advance();

                // z_H is used only by the tonal update, one sample in RlsUpdateEvery; y_H every sample, after that update.
                var zTonal = _tonal is not null && _tonal.AdaptsNext ? _tonal.PredictAlone() : 0f;
                var zLong = _long is null ? 0f : _zBlock[_blockFill];
                if ((events & Adapts) != 0)
                {
                    // NLMS first, on its own error; the tonal model learns what NLMS leaves as it is actually played.
                    _blockErrors[_blockFill] = target[i] - zLong;
                    _tonal?.Update(target[i] - _longBefore[i] * zLong - zTonal);
                }
                else _blockErrors[_blockFill] = 0; // a restore's warm-up: learn nothing from a d̂ that may be stale

                var yTonal = _tonal is null ? 0f : Sane(_tonal.OutputAlone(), ref _tonalBlownUp);
                var yLong = _long is null ? 0f : Sane(_yBlock[_blockFill], ref _longBlownUp);
                // What the device can play: its codec clips to full scale, so the rings (and d̂) hold the clipped value.
                var next = _tonalGain[i] * yTonal + _longGain[i] * yLong;
                next = next > FullScale ? FullScale : next < -FullScale ? -FullScale : next;
                if (!float.IsFinite(next)) next = 0;
                _yTonalSegment[i] = yTonal;
                _yLongSegment[i] = yLong;
                antiNoise[start + i] = next;
                if ((events & ResetAfter) != 0) ResetBranches();
            }
            _secondary.RecordBlock(_yTonalSegment.AsSpan(0, count), _yLongSegment.AsSpan(0, count), antiNoise.Slice(start, count));
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
    public void MarkNotPlayed(int count) => _secondary.MarkNotPlayed(count);

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
                Adapt(target, zTonal, zLong, zTonal, zLong, out var gTonal, out var gLong);
                var output = target - gTonal * zTonal - gLong * zLong;
                residual[i] = output;
                Account(target, output);
            }
            if (_blockFill == block) EndBlock();
            start += count;
        }
        CheckHealth();
    }

    // _events flags: the sample adapts (no restore warm-up); harm before it (the branches reset before it runs); harm after it.
    private const byte Adapts = 1, ResetBefore = 2, ResetAfter = 4;

    /// <summary>
    /// Antinoise mode, one segment: d̂ and the target t = −d̂; the divergence test and the meter over the whole segment
    /// (one loop: their chains overlap); then the guards
    /// (<see cref="OutputGuard.RunSegment"/>, and one sample at a time around harm and a restore's warm-up), giving each
    /// sample's gains, the long gain before its update, and its events. The same operations in the same order as the
    /// per-sample cascade (divergence, guards, meter, harm), so the same bits: none of them reads a branch's output of this
    /// segment, and a harm resets the branches (<see cref="ResetBranches"/>) in the loop at the same sample.
    /// </summary>
    private void Control(ReadOnlySpan<float> x, ReadOnlySpan<float> error, ReadOnlySpan<float> heardPlayed, ReadOnlySpan<float> heardTonal,
        ReadOnlySpan<float> heardLong, Span<float> noiseEstimate)
    {
        var count = x.Length;
        var dHat = _dHat.AsSpan(0, count);
        var target = _target.AsSpan(0, count);
        error = error[..count];
        heardPlayed = heardPlayed[..count];
        for (var i = 0; i < count; i++)
        {
            var d = error[i] - heardPlayed[i];
            dHat[i] = d;
            target[i] = -d;
        }
        if (!noiseEstimate.IsEmpty) dHat.CopyTo(noiseEstimate);
        var alarms = _alarms.AsSpan(0, count);
        var louder = _louder.AsSpan(0, count);
        var quiet = Math.Min(_warmup, count); // d̂ is the quiet ear during a warm-up
        for (var i = 0; i < count; i++)
        {
            alarms[i] = _divergence.Observe(x[i], error[i], heardPlayed[i], i < quiet ? dHat[i] : float.NaN);
            _meter.Add(dHat[i], error[i]);
            louder[i] = _meter.ResidualPower > 1.26f * _meter.NoisePower;
        }
        var events = _events.AsSpan(0, count);
        events.Clear();
        for (var i = 0; i < count;)
        {
            if (_warmup == 0)
            {
                var next = _guard.RunSegment(i, target, heardTonal, heardLong, louder, alarms, _tonalGain, _longGain, _longBefore, out var harm);
                events[i..next].Fill(Adapts);
                if (harm) HarmAfter(next - 1);
                if (next > i)
                {
                    i = next;
                    continue;
                }
            }
            // One sample the general way: harm before it, a warm-up, a held or passed-through guard.
            if (alarms[i] && !_guard.Holding)
            {
                HarmGuards();
                events[i] |= ResetBefore;
            }
            _longBefore[i] = _guard.LongGain;
            if (_warmup > 0)
            {
                // After a restore the histories (and what was played) may be stale: play with the restored
                // weights, but learn nothing from a wrong d̂ until the windows have refilled.
                _warmup--;
                _tonalGain[i] = _guard.TonalGain;
                _longGain[i] = _guard.LongGain;
            }
            else
            {
                _guard.Next(target[i], heardTonal[i], heardLong[i], out _tonalGain[i], out _longGain[i]);
                events[i] |= Adapts;
            }
            // Do no harm: the ear louder than the noise by > 1 dB for half a second → mute, reset, re-adapt.
            if (_guard.HarmSustained(_warmup == 0 && louder[i] && _guard.OutputGain > 0.05f)) HarmAfter(i);
            i++;
        }
    }

    private void HarmAfter(int i)
    {
        HarmGuards();
        _events[i] |= ResetAfter;
    }

    /// <summary>Harm, the guards' side (<see cref="Harm"/> without the branches, which the loop resets at the same sample).</summary>
    private void HarmGuards()
    {
        _guard.Restart();
        _guard.HoldAfterHarm();
        Resets++;
        Divergences++;
    }

    private void ResetBranches()
    {
        _long?.Reset();
        _tonal?.ResetWeights();
    }

    /// <summary>
    /// The cascade update for one sample, and the two gains to play. z are the branches' a priori estimates;
    /// <paramref name="tonalHeard"/> and <paramref name="longHeard"/> are what each branch's unscaled output
    /// adds at the ear now (in clean mode, the estimates themselves). Out parameters rather than a returned
    /// (float, float): see <see cref="OutputGuard.Next"/>.
    /// </summary>
    private void Adapt(float target, float zTonal, float zLong, float tonalHeard, float longHeard, out float gTonal, out float gLong)
    {
        _blockErrors[_blockFill] = 0;
        if (_warmup > 0)
        {
            // After a restore the histories (and what was played) may be stale: play with the restored
            // weights, but learn nothing from a wrong d̂ until the windows have refilled.
            _warmup--;
            gTonal = _guard.TonalGain;
            gLong = _guard.LongGain;
            return;
        }
        // NLMS first, on its own error; the tonal model learns what NLMS leaves as it is actually played.
        _blockErrors[_blockFill] = target - zLong;
        _tonal?.Update(target - _guard.LongGain * zLong - zTonal);
        _guard.Next(target, tonalHeard, longHeard, out gTonal, out gLong);
    }

    /// <summary>Closes a block of the long branch: its update on the block's errors.</summary>
    private void EndBlock()
    {
        _blockFill = 0;
        _long?.EndBlock(_blockErrors);
    }

    private static float Finite(float value) => float.IsFinite(value) ? value : 0f;

    /// <summary>
    /// A branch's raw output if it is finite and within <see cref="BranchLimit"/>; otherwise 0, and the branch is
    /// marked for a reset at the end of the call (<see cref="CheckHealth"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sane(float value, ref bool blownUp)
    {
        if (float.IsFinite(value) && Math.Abs(value) <= BranchLimit) return value;
        blownUp = true;
        return 0f;
    }

    private void CheckBlock(int reference, int other, int output)
    {
        if (reference != other || reference != output)
            throw new ArgumentException($"Block lengths differ: reference {reference}, second channel {other}, output {output}.");
        if (_settings.Mode == CancellerMode.AntiNoise && reference > _settings.DelaySamples)
            throw new ArgumentException($"A block of {reference} samples is longer than the loop delay D = {_settings.DelaySamples}.");
    }

    private void Account(float noise, float residual)
    {
        _meter.Add(noise, residual);
        // Do no harm: the ear louder than the noise by > 1 dB for half a second → mute, reset, re-adapt.
        var louder = _settings.Mode == CancellerMode.AntiNoise && _warmup == 0
            && _meter.ResidualPower > 1.26f * _meter.NoisePower && _guard.OutputGain > 0.05f;
        if (_guard.HarmSustained(louder)) Harm();
    }

    /// <summary>Harm: both branches reset, the output muted at once and held, longer for each harm in a row.</summary>
    private void Harm()
    {
        ResetFilters();
        _guard.HoldAfterHarm();
        Resets++;
        Divergences++;
    }

    private void ResetFilters()
    {
        _long?.Reset();
        _tonal?.ResetWeights();
        _guard.Restart();
    }

    /// <summary>Resets a branch whose weights or output stopped being finite, or whose output exploded.</summary>
    private void CheckHealth()
    {
        var longBad = _longBlownUp || !(_long?.IsHealthy ?? true);
        var tonalBad = _tonalBlownUp || !(_tonal?.IsHealthy ?? true);
        _longBlownUp = _tonalBlownUp = false;
        if (!longBad && !tonalBad) return;
        if (longBad) _long?.Reset();
        if (tonalBad) _tonal?.ResetWeights();
        _guard.Restart();
        Resets++;
    }

    public void Reset()
    {
        _long?.Reset();
        _tonal?.Reset();
        _guard.Reset();
        _u.Clear();
        _v.Clear();
        _regressorDelay.Clear();
        _secondary.Clear();
        _blockFill = 0;
        _meter.Reset();
        _divergence.Reset();
        _warmup = 0;
    }
}
