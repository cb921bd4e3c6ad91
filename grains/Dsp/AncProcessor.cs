namespace AncOrleans.Dsp;

/// <summary>
/// One session's canceller: the signal plumbing around an <see cref="AdaptiveFilter"/>.
///
/// Antinoise mode — modified filtered-x LMS/RLS (Bjarnason, "Active noise cancellation using a modified form
/// of the filtered-x LMS algorithm", EUSIPCO 1992; Kuo &amp; Morgan, "Active Noise Control Systems", 1996, §3.4).
/// The ear hears e(n) = d(n) + (S*y)(n). Because we know what we played, we rebuild the noise the listener
/// would hear without us and adapt on it as an open-loop prediction problem, so the loop delay D never enters
/// the adaptation loop (plain delayed FxLMS must shrink μ as D grows):
/// <code>
///   d̂(n)  = e(n) − (Ŝ*y)(n)               disturbance estimate
///   r(n)  = (Ŝ*x)(n)                       filtered reference
///   z(n)  = wᵀ r(n−D)                      what our filter would add at the ear
///   adapt w on t(n) = −d̂(n) with regressor r(n−D)
///   y(n+D) = g · wᵀ x(n)                   anti-noise for time n+D, from samples ≤ n only
/// </code>
/// Clean mode (Widrow et al., "Adaptive noise cancelling", Proc. IEEE 63(12), 1975): adapt on t = d with
/// regressor x(n−D) and return d(n) − g·z(n).
/// The filter is the sum of two branches adapting on the common error (nlms: the long one only; rls: the
/// tonal one only; hybrid: both): the long <see cref="Nlms"/> filter on the tapped regressor, and the
/// <see cref="HarmonicCanceller"/>, an RLS-tracked harmonic model. RLS converges in a few dozen samples on the
/// tones; NLMS then settles what the tones leave (room tails, broadband noise with acoustic lead).
/// g is the <see cref="NoHarmGuard"/> gain. Allocation-free per sample.
/// </summary>
public sealed class AncProcessor
{
    private readonly AncSettings _settings;
    private readonly Nlms? _long;              // long NLMS branch
    private readonly HarmonicCanceller? _tonal; // RLS harmonic branch
    private readonly NoHarmGuard _guard;
    private readonly TapLine _u;           // regressor window: r(n−D) (antinoise) or x(n−D) (clean)
    private readonly TapLine _v;           // output window: x(n) (antinoise)
    private readonly DelayLine _regressorDelay;
    private readonly FirFilter _sHatX;     // Ŝ * x
    private readonly FirFilter _sHatY;     // Ŝ * y
    private readonly FirFilter _sHatRaw;   // Ŝ * y before the guard's gain: what playing at g = 1 adds at the ear
    private readonly float[] _played;      // y ring: y(m) at m mod (D+1)
    private readonly float[] _raw;         // unscaled y ring, same indexing
    private readonly int _harmWindow;      // samples of sustained harm before muting
    private long _n;                       // device sample index of the next input
    private int _harmRun;                  // consecutive samples where the ear got louder
    private int _warmup;                   // samples left before restored weights may adapt again
    private float _noisePowerShort, _residualPowerShort; // 1 s averages of d̂² and e²
    private readonly float _shortRate;

    public AncProcessor(AncSettings settings)
    {
        settings.Validate();
        _settings = settings;
        if (settings.UsesLongFilter) _long = new Nlms(settings.FilterLength, settings.NlmsStep, settings.NlmsRegularisation);
        if (settings.UsesHarmonicModel)
            _tonal = new HarmonicCanceller(settings.SampleRate, settings.Harmonics, settings.RlsForgetting,
                settings.Mode == CancellerMode.AntiNoise ? settings.SecondaryPath ?? [1f] : null, settings.DelaySamples);
        _guard = new NoHarmGuard(settings.SampleRate, settings.GuardSeconds, settings.GuardSlewSeconds, settings.FadeSeconds);
        _u = new TapLine(settings.FilterLength);
        _v = new TapLine(settings.FilterLength);
        _regressorDelay = new DelayLine(settings.DelaySamples);
        var sHat = settings.SecondaryPath ?? [1f];
        _sHatX = new FirFilter(sHat);
        _sHatY = new FirFilter(sHat);
        _sHatRaw = new FirFilter(sHat);
        _played = new float[settings.DelaySamples + 1];
        _raw = new float[settings.DelaySamples + 1];
        _harmWindow = settings.SampleRate / 2;
        _shortRate = 1f / settings.SampleRate;
    }

    public AncSettings Settings => _settings;
    public Nlms? LongFilter => _long;
    public HarmonicCanceller? TonalModel => _tonal;
    public NoHarmGuard Guard => _guard;

    /// <summary>Samples processed by this instance (a restored one counts from zero).</summary>
    public long SamplesProcessed => _n;

    /// <summary>Σ d̂² (noise without ANC, as estimated) since start.</summary>
    public double NoiseEnergy { get; private set; }

    /// <summary>Σ e² (antinoise: what the ear heard; clean: what we returned) since start.</summary>
    public double ResidualEnergy { get; private set; }

    /// <summary>Reduction over about the last second, in dB.</summary>
    public double ShortTermReductionDb => Decibels(_noisePowerShort, _residualPowerShort);

    public double ReductionSinceStartDb => Decibels(NoiseEnergy, ResidualEnergy);

    /// <summary>Times the filter was reset because it became non-finite or made the noise louder.</summary>
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
        for (var i = 0; i < reference.Length; i++, _n++)
        {
            var slot = (int)(_n % ring);
            var dHat = error[i] - _sHatY.Process(_played[slot]);
            var contribution = _sHatRaw.Process(_raw[slot]);
            _u.Push(_regressorDelay.Process(_sHatX.Process(reference[i])));
            _v.Push(reference[i]);
            _tonal?.Push(reference[i]);

            var z = Predict();
            var target = -dHat;
            float gain;
            if (_warmup > 0)
            {
                // After a restore the histories (and what was played) are not known yet: play with the
                // restored weights, but learn nothing from the wrong d̂ until the windows have refilled.
                _warmup--;
                gain = _guard.Gain;
            }
            else
            {
                Update(target - z);
                gain = _guard.Next(target, contribution);
            }
            var raw = (_long?.Output(_v.Window) ?? 0f) + (_tonal?.Output() ?? 0f);
            if (!float.IsFinite(raw)) raw = 0;
            var next = gain * raw;
            var ahead = (int)((_n + _settings.DelaySamples) % ring);
            _raw[ahead] = raw;
            _played[ahead] = next;
            antiNoise[i] = next;

            Account(dHat, error[i]);
        }
        CheckHealth();
    }

    /// <summary>Clean mode: takes x(n) and d(n), writes d(n) − g·ŷ(n).</summary>
    public void ProcessClean(ReadOnlySpan<float> reference, ReadOnlySpan<float> primary, Span<float> residual)
    {
        if (_settings.Mode != CancellerMode.Clean) throw new InvalidOperationException("This session is in antinoise mode.");
        CheckBlock(reference.Length, primary.Length, residual.Length);
        for (var i = 0; i < reference.Length; i++, _n++)
        {
            var delayed = _regressorDelay.Process(reference[i]);
            _u.Push(delayed);
            _tonal?.Push(delayed);
            var z = Predict();
            var target = primary[i];
            float gain;
            if (_warmup > 0)
            {
                _warmup--;
                gain = _guard.Gain;
            }
            else
            {
                Update(target - z);
                gain = _guard.Next(target, z);
            }
            var output = target - gain * z;
            if (!float.IsFinite(output)) output = target;
            residual[i] = output;
            Account(target, output);
        }
        CheckHealth();
    }

    private float Predict() => (_long?.Predict(_u.Window) ?? 0f) + (_tonal?.Predict() ?? 0f);

    private void Update(float error)
    {
        _long?.Update(_u.Window, error);
        _tonal?.Update(error);
    }

    private void ResetFilters()
    {
        _long?.Reset();
        _tonal?.Rls.Reset();
    }

    private bool FiltersHealthy => (_long?.IsHealthy ?? true) && (_tonal?.IsHealthy ?? true);

    private int FilterStateLength => (_long?.StateLength ?? 0) + (_tonal?.StateLength ?? 0);

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
        if (_settings.Mode == CancellerMode.AntiNoise && _warmup == 0 && _residualPowerShort > 1.26f * _noisePowerShort && _guard.Gain > 0.05f)
        {
            if (++_harmRun >= _harmWindow)
            {
                _harmRun = 0;
                ResetFilters();
                _guard.Reset();
                _guard.HoldSamples = _harmWindow;
                Resets++;
            }
        }
        else _harmRun = 0;
    }

    private void CheckHealth()
    {
        if (FiltersHealthy) return;
        ResetFilters();
        _guard.Reset();
        Resets++;
    }

    /// <summary>Fades the output out (emergency passthrough) or lets it back in.</summary>
    public void Passthrough(bool on) => _guard.Passthrough = on;

    /// <summary>Filter + guard state, then the signal histories, so a graceful restore resumes sample-exactly.</summary>
    public int StateLength => FilterStateLength + NoHarmGuard.StateLength + HistoryLength;

    private int HistoryLength => 2 * _settings.FilterLength + _regressorDelay.StateLength + 3 * _sHatX.Length + 2 * _played.Length;

    public float[] SaveState()
    {
        var state = new float[StateLength];
        var span = state.AsSpan();
        if (_long is not null) _long.SaveState(Take(ref span, _long.StateLength));
        if (_tonal is not null) _tonal.SaveState(Take(ref span, _tonal.StateLength));
        _guard.SaveState(Take(ref span, NoHarmGuard.StateLength));
        _u.Window.CopyTo(Take(ref span, _u.Length));
        _v.Window.CopyTo(Take(ref span, _v.Length));
        _regressorDelay.Save(Take(ref span, _regressorDelay.StateLength));
        _sHatX.History.CopyTo(Take(ref span, _sHatX.Length));
        _sHatY.History.CopyTo(Take(ref span, _sHatY.Length));
        _sHatRaw.History.CopyTo(Take(ref span, _sHatRaw.Length));
        var ring = _played.Length;
        var played = Take(ref span, ring);
        var raw = Take(ref span, ring);
        for (var k = 0; k < ring; k++)
        {
            played[k] = _played[(int)((_n + k) % ring)];
            raw[k] = _raw[(int)((_n + k) % ring)];
        }
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
        _guard.LoadState(Take(ref state, NoHarmGuard.StateLength));
        _u.Load(Take(ref state, _u.Length));
        _v.Load(Take(ref state, _v.Length));
        _regressorDelay.Load(Take(ref state, _regressorDelay.StateLength));
        _sHatX.LoadHistory(Take(ref state, _sHatX.Length));
        _sHatY.LoadHistory(Take(ref state, _sHatY.Length));
        _sHatRaw.LoadHistory(Take(ref state, _sHatRaw.Length));
        Take(ref state, _played.Length).CopyTo(_played);
        Take(ref state, _raw.Length).CopyTo(_raw);
        _n = 0;
        // If the histories are stale (a crash rather than a graceful checkpoint), d̂ is wrong for a moment:
        // play with the restored weights but learn nothing until the windows have refilled.
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
        _guard.Reset();
        _u.Clear();
        _v.Clear();
        _regressorDelay.Clear();
        _sHatX.Clear();
        _sHatY.Clear();
        _sHatRaw.Clear();
        Array.Clear(_played);
        Array.Clear(_raw);
        NoiseEnergy = ResidualEnergy = 0;
        _noisePowerShort = _residualPowerShort = 0;
        _harmRun = 0;
        _warmup = 0;
    }
}
