namespace AncOrleans.Dsp;

/// <summary>What a device in edge mode says it played during a frame: the set in force at the frame's first sample
/// (<paramref name="Version"/>), the one it was fading from, and how far into the fade it was.</summary>
public readonly record struct EdgeTag(uint Version, uint FadingFrom, int FadeElapsed)
{
    public static EdgeTag Steady(uint version) => new(version, version, 0);
}

/// <summary>A coefficient set for the device: W(0) … W(L−1), applied with a cross-fade of <see cref="CrossfadeSamples"/>.
/// <see cref="FittedThroughSample"/> is the cloud's sample count (the device's stream position) it was fitted on.
/// A set made by <see cref="EdgeCanceller"/> is valid while the canceller holds it (its last 64): the taps array of a
/// set it has forgotten is reused for a later set.</summary>
public sealed record CoefficientSet(uint Version, float[] Taps, int CrossfadeSamples, long FittedThroughSample);

/// <summary>
/// The cloud side of edge mode. The device runs W_v on its own reference mic at zero latency (<see cref="EdgeFilter"/>)
/// and streams (x, e) tagged with v; the cloud rebuilds what was played and adapts W on the open-loop problem with
/// zero prediction horizon — modified FxLMS (Bjarnason 1992; Kuo &amp; Morgan 1996 §3.4) with D = 0:
/// <code>
///   y(n)   = (W_v * x)(n)                        the replica of the device's filter (the tag says v, u, m)
///   d̂(n)   = e(n) − (Ŝ*y)(n)                     the noise the ear would hear without ANC
///   r(n)   = (Ŝ*x)(n),   t(n) = −d̂(n)
///   z(n)   = Σ_k w(k) r(n−k)                      block NLMS (<see cref="BlockNlms"/>, L = 512, B = 128), adapts on t − z
///   send w as set v+1 when ‖w − w_sent‖ > ε‖w_sent‖, at most every N ms
/// </code>
/// Warm start (EdgeCanceller.WarmStart.cs): after the first <see cref="EdgeSettings.WarmStartMs"/> (500 ms) of usable,
/// contiguous audio the least-squares filter of length L on that record, w = R⁻¹p with R = Σ r rᵀ, p = Σ t r
/// (<see cref="LeastSquaresFir"/>), is loaded into the NLMS once: broadband settles within 3 dB of its final figure
/// in 0.6 s instead of 4–8 s (docs/measurements/edge.md).
/// Because d̂ does not depend on W (with Ŝ = S), a set that reaches the device late, or never, costs only staleness:
/// the cloud keeps adapting on whatever the device really played. Guards: a frame tagged with a version the cloud
/// no longer holds, a gap in the stream, or the start of a duty-cycle burst restarts the histories and adapts on
/// nothing for L + 2B + |Ŝ| samples (the replica's input history must refill before y, and so d̂, is exact again);
/// a set is sent only when the cloud's own a-priori error says it reduces the noise; if the ear is louder than d̂
/// by > 1 dB for 0.5 s the filter resets and a zero set is sent. Allocation-free per frame except when a set is sent
/// and the warm start's one solve (and its record, held until then).
/// </summary>
public sealed partial class EdgeCanceller
{
    private const int KeepSets = 64;
    private readonly EdgeSettings _settings;
    private readonly BlockNlms _nlms;
    private readonly FirFilter _sx, _sy;          // Ŝ*x (regressor), Ŝ*y (what was played, at the ear)
    private readonly EdgeFilter _replica;         // W_v * x as the device played it
    private readonly int _b, _warmupLength;
    private readonly float[] _r2B, _target, _z, _errors; // the current block's regressor window (previous + this), t, z, t − z
    private int _fill;
    private double _heardBlock;                   // Σ e² over the current block
    private readonly Dictionary<uint, CoefficientSet> _sets = [];
    private readonly Queue<uint> _order = new();
    private readonly float[] _weights;
    private readonly float[] _sent;                        // the last set sent
    private bool _sentNonZero;
    private bool _passthrough;
    private long _unknownSamples;                 // how long the device has played a set this canceller does not know
    private readonly DivergenceDetector _divergence;  // the ear louder than no ANC, judged without Ŝ
    private long _holdUntil, _holdSamples, _lastHarmAt = long.MinValue / 2;
    private uint _nextVersion = 1;
    private long _n, _lastSentAt = long.MinValue / 2;
    private int _warmup;
    private bool _stale;
    private double _pd, _pa, _pe;                 // smoothed powers of d̂, of t − z (zero latency), of e
    private readonly double _alpha;               // per block, τ = 0.5 s
    private int _harmBlocks;
    private double _noiseEnergy, _residualEnergy;
    private double _shortNoise, _shortResidual;

    public EdgeCanceller(EdgeSettings settings)
    {
        settings.Validate();
        _settings = settings;
        _b = settings.BlockSize;
        _nlms = new BlockNlms(settings.FilterLength, _b, settings.Step, settings.Regularisation);
        var sHat = settings.SecondaryPath ?? [1f];
        _sx = new FirFilter(sHat);
        _sy = new FirFilter(sHat);
        _replica = new EdgeFilter(_nlms.Length);
        _warmupLength = _nlms.Length + 2 * _b + sHat.Length;
        _r2B = SessionArray.Of<float>(2 * _b);
        _target = SessionArray.Of<float>(_b);
        _z = SessionArray.Of<float>(_b);
        _errors = SessionArray.Of<float>(_b);
        _weights = SessionArray.Of<float>(_nlms.Length);
        _sent = SessionArray.Of<float>(_nlms.Length);
        _alpha = Math.Exp(-_b / (0.5 * settings.SampleRate));
        _divergence = new DivergenceDetector(settings.SampleRate);
        _sets[0] = new CoefficientSet(0, new float[_nlms.Length], 0, 0);
        _order.Enqueue(0);
        ArmWarmStart();
    }

    public EdgeSettings Settings => _settings;

    /// <summary>Taps of the sets (L rounded up to whole blocks).</summary>
    public int Length => _nlms.Length;

    public long SamplesSeen => _n;

    /// <summary>Samples the filter actually adapted on (the duty cycle's and the warm-ups' savings show here).</summary>
    public long SamplesAdapted { get; private set; }

    public int SetsSent { get; private set; }

    /// <summary>Frames tagged with a version the cloud does not hold (not adapted on).</summary>
    public int UnknownVersions { get; private set; }

    public int Gaps { get; private set; }

    public int Resets { get; private set; }

    /// <summary>The newest version sent (0: none).</summary>
    public uint LatestVersion => _nextVersion - 1;

    /// <summary>10 log10(d̂² / e²) over about the last second.</summary>
    public double ShortTermReductionDb => NoiseReductionMeter.Decibels(_shortNoise, _shortResidual);

    public double ReductionSinceStartDb => NoiseReductionMeter.Decibels(_noiseEnergy, _residualEnergy);

    /// <summary>The a-priori reduction the cloud's filter would give at zero latency, dB.</summary>
    public double PredictedReductionDb => NoiseReductionMeter.Decibels(_pd, _pa);

    public bool Converged => PredictedReductionDb >= _settings.ConvergedDb;

    /// <summary>The set the cloud holds for a version, or null.</summary>
    public CoefficientSet? Set(uint version) => _sets.GetValueOrDefault(version);

    /// <summary>
    /// One frame of the device's x and e, tagged with what it played. Returns a new set to send, or null. When
    /// <paramref name="noise"/> is given (at least as long as x), d̂ of the frame goes there: zero while warming up, idle
    /// or unable to rebuild what was played. The frame's intermediate signals are the thread's <see cref="FrameScratch"/>.
    /// </summary>
    public CoefficientSet? Process(ReadOnlySpan<float> x, ReadOnlySpan<float> e, EdgeTag tag, Span<float> noise = default)
    {
        if (x.Length != e.Length) throw new ArgumentException($"Block lengths differ: reference {x.Length}, error {e.Length}.");
        if (!noise.IsEmpty)
        {
            if (noise.Length < x.Length) throw new ArgumentException($"{x.Length} samples need {x.Length} places for d̂, not {noise.Length}.", nameof(noise));
            noise = noise[..x.Length];
            noise.Clear();
        }
        PollWarmStart();
        var start = _n;
        _n += x.Length;
        if (Idle(start))
        {
            _stale = true;
            return null;
        }
        if (_stale) Restart();
        var current = _sets.GetValueOrDefault(tag.Version);
        var from = tag.FadingFrom == tag.Version ? current : _sets.GetValueOrDefault(tag.FadingFrom);
        if (current is null || from is null)
        {
            // We cannot rebuild what was played: keep the histories running, adapt on nothing.
            UnknownVersions++;
            _replica.SetState(0, default, 0, default, 0, 0);
            _warmup = _warmupLength;
            // A set from before a restart (or one so old it was forgotten): the device will go on tagging it, so
            // after an update period send the current filter as a new set, which moves the device to a version we know.
            _unknownSamples += x.Length;
            // Versions only grow: a device ahead of us (our checkpoint is older than its set) ignores anything lower.
            _nextVersion = Math.Max(_nextVersion, Math.Max(tag.Version, tag.FadingFrom) + 1);
            if (_unknownSamples >= _settings.UpdateSamples)
            {
                _unknownSamples = 0;
                _nlms.ExportWeights(_weights);
                return Send(zero: _passthrough || !AllFinite(_weights));
            }
            return null;
        }
        _unknownSamples = 0;
        _replica.SetState(tag.Version, current.Taps, tag.FadingFrom, from.Taps, tag.FadeElapsed, current.CrossfadeSamples);

        var count = x.Length;
        using var scratch = FrameScratch.Open();
        var y = scratch.Floats(count);
        var heard = scratch.Floats(count);
        var filtered = scratch.Floats(count);
        var work = scratch.Floats(count + Math.Max(_sx.Length, _nlms.Length));
        _replica.Process(x, y);
        _sy.ProcessBlock(y, heard, work);
        _sx.ProcessBlock(x, filtered, work);
        CoefficientSet? set = null;
        var harmed = false;
        var writeNoise = !noise.IsEmpty;
        for (var i = 0; i < count; i++)
        {
            var dHat = e[i] - heard[i];
            if (writeNoise) noise[i] = _warmup > 0 ? 0 : dHat;
            if (_warmup == 0)
            {
                Meter(dHat, e[i]);
                Collect(filtered[i], -dHat);
            }
            harmed |= _divergence.Observe(x[i], e[i], heard[i]);
            _r2B[_b + _fill] = filtered[i];
            _target[_fill] = -dHat;
            _heardBlock += e[i] * e[i];
            if (++_fill == _b) set = EndBlock() ?? set;
        }
        return harmed && _sentNonZero ? Harm() : set;
    }

    /// <summary>
    /// Frames that never arrived (a gap in the sequence): the replica's and Ŝ's input histories are lost, so nothing is
    /// adapted on until they have refilled. The next frame's tag still says what the device played.
    /// </summary>
    public void Gap(int samples)
    {
        _n += Math.Max(0, samples);
        Gaps++;
        Restart();
    }

    /// <summary>Forgets the adaptation (the sets already sent stay valid for the replica).</summary>
    public void Reset()
    {
        _nlms.Reset();
        Restart();
        _pd = _pa = _pe = 0;
        _harmBlocks = 0;
        ArmWarmStart();
    }

    private void Restart()
    {
        _stale = false;
        _replica.ClearHistory();
        _sx.Clear();
        _sy.Clear();
        Array.Clear(_r2B);
        _fill = 0;
        _heardBlock = 0;
        _warmup = _warmupLength;
        _lsCount = 0; // the warm start's record must be contiguous
    }

    private bool Idle(long start)
    {
        if (_settings.DutyCycle >= 1) return false;
        if (Converged) ReleaseLease();
        else if (MayConverge()) return false;
        var period = Math.Max(1L, (long)(_settings.DutyPeriodMs * _settings.SampleRate / 1000));
        var phase = (long)(_settings.DutyPhase * period);
        return (start + period - phase) % period >= (long)(_settings.DutyCycle * period);
    }

    // Unconverged, a session adapts on all of its audio — while it holds one of the process's convergence leases
    // (EdgeSettings.Convergence; none configured: always). Converged, it gives its lease back; a lease that ran out
    // before convergence is not taken again for as long as it lasted, so a session that cannot converge (noise with
    // little coherence) does not keep the budget from the sessions queued behind it.
    private ConvergenceLeases.Lease _lease;
    private bool _leased;
    private long _noLeaseUntil;

    private bool MayConverge()
    {
        if (_settings.Convergence is not { } leases) return true;
        if (_leased && leases.Holds(_lease)) return true;
        if (_leased)
        {
            _leased = false;
            _noLeaseUntil = _n + (long)(leases.Hold.TotalSeconds * _settings.SampleRate);
        }
        if (_n < _noLeaseUntil) return false;
        return _leased = leases.TryTake(out _lease);
    }

    private void ReleaseLease()
    {
        if (!_leased) return;
        _leased = false;
        _settings.Convergence?.Release(_lease);
    }

    private void Meter(float dHat, float e)
    {
        _noiseEnergy += dHat * dHat;
        _residualEnergy += e * e;
        const double decay = 0.99998; // ≈ 1 s at 48 kHz
        _shortNoise = decay * _shortNoise + dHat * dHat;
        _shortResidual = decay * _shortResidual + e * e;
    }

    private CoefficientSet? EndBlock()
    {
        _fill = 0;
        var pe = _heardBlock;
        _heardBlock = 0;
        _nlms.BeginBlock(_r2B, default);
        var warming = _warmup > 0;
        _warmup = Math.Max(0, _warmup - _b);
        CoefficientSet? set = null;
        if (!warming)
        {
            _nlms.PredictBlock(_z);
            double pd = 0, pa = 0;
            for (var i = 0; i < _b; i++)
            {
                _errors[i] = _target[i] - _z[i];
                pd += _target[i] * _target[i];
                pa += _errors[i] * _errors[i];
            }
            _pd = _alpha * _pd + (1 - _alpha) * pd / _b;
            _pa = _alpha * _pa + (1 - _alpha) * pa / _b;
            _pe = _alpha * _pe + (1 - _alpha) * pe / _b;
            _nlms.EndBlock(_errors);
            SamplesAdapted += _b;
            if (!_nlms.IsHealthy) { _nlms.Reset(); Resets++; }
            set = Guard() ?? MaybeSend();
        }
        _r2B.AsSpan(_b).CopyTo(_r2B);
        return set;
    }

    /// <summary>Do no harm: the ear louder than d̂ by more than 1 dB for 0.5 s with a set playing → reset and send zeros.</summary>
    private CoefficientSet? Guard()
    {
        var louder = _sentNonZero && _pe > 1.26 * _pd && _pd > 0;
        _harmBlocks = louder ? _harmBlocks + 1 : 0;
        if (_harmBlocks * _b < _settings.SampleRate / 2) return null;
        _harmBlocks = 0;
        _nlms.Reset();
        Resets++;
        _pa = _pd;
        return Send(zero: true);
    }

    private CoefficientSet? MaybeSend()
    {
        if (_passthrough || _n < _holdUntil || _n - _lastSentAt < _settings.UpdateSamples) return null;
        var helps = _pa < 0.9 * _pd;
        if (!helps) return _sentNonZero ? Send(zero: true) : null;
        _nlms.ExportWeights(_weights);
        double change = 0, norm = 0;
        for (var k = 0; k < _weights.Length; k++)
        {
            var d = _weights[k] - _sent[k];
            change += d * d;
            norm += _sent[k] * _sent[k];
        }
        if (!double.IsFinite(change) || change <= _settings.MinRelativeChange * _settings.MinRelativeChange * norm) return null;
        return Send(zero: false);
    }

    private CoefficientSet Send(bool zero)
    {
        var taps = SpareTaps();
        if (zero) Array.Clear(taps);
        else _weights.CopyTo(taps, 0);
        taps.CopyTo(_sent, 0);
        _sentNonZero = !zero;
        var set = new CoefficientSet(_nextVersion++, taps, _settings.CrossfadeSamples, _n);
        _sets[set.Version] = set;
        _order.Enqueue(set.Version);
        Forget();
        if (!_sets.ContainsKey(0)) _sets[0] = new CoefficientSet(0, new float[_weights.Length], 0, 0);
        _lastSentAt = _n;
        SetsSent++;
        return set;
    }

    // A session sends a set every 100 ms or so while it adapts, and holds the last 64: on the small-object heap each set's
    // 2 KB of taps lived long enough to be copied to gen 1 and gen 2 and then died there (400 edge devices: 1,000 sets
    // a second, more gen-1 collections than gen-0 ones). The taps of a forgotten set are kept for the next one instead,
    // on the pinned heap (SessionArray), so once a session has sent 64 sets a new one allocates no taps (only its small
    // record).
    private readonly Stack<float[]> _spareTaps = new();

    private float[] SpareTaps() => _spareTaps.TryPop(out var taps) ? taps : SessionArray.Of<float>(_weights.Length);

    private void Forget()
    {
        while (_order.Count > KeepSets)
            if (_sets.Remove(_order.Dequeue(), out var old)) _spareTaps.Push(old.Taps);
    }
}
