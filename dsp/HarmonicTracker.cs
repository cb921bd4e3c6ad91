using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AncOrleans.Dsp;

/// <summary>
/// Tracks the fundamental of a harmonic noise (hum, engine orders, blade-pass tones) in the reference signal:
/// a coarse autocorrelation estimate to acquire (Rabiner, "On the use of autocorrelation analysis for pitch
/// detection", IEEE TASSP 25(1), 1977), then a second-order phase-locked loop (Gardner, "Phaselock
/// Techniques", 3rd ed., ch. 2–3) that follows sweeps:
/// <code>
///   c(n)  = (1/T) Σ_{T} x(n) e^{−jφ(n)}               complex baseband of the fundamental over one period T
///   θ(n)  = arg c(n)                                    phase error
///   f    ← f + K_i θ;   φ ← φ + 2π (f + K_p θ) / fs     type-2 loop: no frequency error on a ramp
/// </code>
/// The baseband is averaged over exactly one period (a comb that rejects every harmonic); the loop's natural
/// frequency is 6 Hz (ζ = 0.7). <see cref="PhaseAhead"/> extrapolates the phase across
/// the loop delay with the frequency and its slope ḟ (acquisition is tried after 50 ms, then 100 ms of data), so a sweep of 80 Hz/s costs no systematic phase error
/// in the prediction. It locks only on a clearly periodic signal (normalised autocorrelation peak ≥ 0.7) and
/// carries at least a quarter of the power, and declares the lock lost when the fundamental's coherent part
/// (its baseband averaged over 50 ms) carries under 10 % of the power for 0.2 s.
/// Cost: per sample the comb, the loop filter and the phase integrals (over a segment in <see cref="PushBlock"/>, the
/// state in registers); per tick (8 samples) an atan2 and four sincos in one <c>Vector256.SinCos</c> (within an ulp of
/// <c>Math.SinCos</c>).
/// Longer than 350 lines: the PLL, its search and its per-sample oscillators share state that is clearer in one class.
/// </summary>
public sealed class HarmonicTracker
{
    private const double MinF0 = 25, MaxF0 = 500;
    private readonly int _sampleRate;
    private readonly float[] _acquire;    // acquisition buffer (100 ms)
    private readonly float[] _decimated;  // scratch: the buffer decimated by 4 for the autocorrelation
    private int _filled;                  // samples in the acquisition buffer
    private double _phi;                  // φ, radians in [0, 2π)
    private double _f;                    // f, Hz
    private double _slope;                // ḟ, Hz/s (smoothed)
    private double _lastF;                // f at the last slope update
    private int _sinceSlope;              // samples since the last slope update
    private double _i, _q;                // baseband, averaged over one period
    private double _sumI, _sumQ;          // running sums of the baseband
    private readonly double[] _cumI, _cumQ; // ring of the running sums (one longest period)
    private int _combHead;
    private int _settle;                  // samples left in which the loop free-runs while the comb refills
    private const int LoopEvery = 8;      // the phase detector and the exact phasors run every 8th sample
    private int _tick;
    private double _theta;                // θ, held between detector runs
    private double _phiCos = 1, _phiSin;  // e^{jφ}, rotated per sample, recomputed exactly every tick
    private double _phiStepCos = 1, _phiStepSin, _psiStepCos = 1, _psiStepSin; // per-sample rotations
    private int _ahead;                   // Δ for AheadCos/AheadSin, in samples
    private double _thetaSmooth;          // θ low-passed at 5 Hz: the loop's frequency correction without its ripple
    private double _basisPhase;           // ψ: integral of the smoothed frequency, the phase the harmonic basis uses
    private readonly double[] _unwrapped; // ψ unwrapped, ring over the longest period (for period-averaged frequency)
    private int _head;                    // next slot of _unwrapped
    private double _cumulative;           // ψ unwrapped
    private double _periodFrequency;      // frequency averaged over the last fundamental period
    private double _tonePower, _power;    // for the lock detector
    private double _ci, _cq;              // the baseband averaged over 50 ms
    private int _unlocked;                // samples with too little tone power
    private readonly double _kp, _ki, _powerRate, _smooth;
    private readonly double _radiansPerHz;           // 2π/fs: a frequency's phase advance per sample
    private readonly int _slopeEvery, _unlockAfter;  // 10 ms and 0.2 s in samples

    public HarmonicTracker(int sampleRate)
    {
        _sampleRate = sampleRate;
        _acquire = SessionArray.Of<float>(sampleRate / 10);
        _decimated = SessionArray.Of<float>(_acquire.Length / 4 + LagPadding); // the lag kernel reads past the end in lanes it discards
        _unwrapped = SessionArray.Of<double>((int)(sampleRate / MinF0) + 2);
        _cumI = SessionArray.Of<double>(_unwrapped.Length);
        _cumQ = SessionArray.Of<double>(_unwrapped.Length);
        var wn = 2 * Math.PI * 6.0;
        _kp = 2 * 0.7 * wn / (2 * Math.PI);                    // Hz per radian
        _ki = wn * wn / (2 * Math.PI * sampleRate);             // Hz per radian per sample
        _powerRate = 1 - Math.Exp(-1.0 / (0.05 * sampleRate));
        _smooth = 1 - Math.Exp(-2 * Math.PI * 5.0 / sampleRate);
        _radiansPerHz = 2 * Math.PI / sampleRate;
        _slopeEvery = sampleRate / 100;
        _unlockAfter = sampleRate / 5;
    }

    /// <summary>
    /// (sin x, cos x) for a per-sample phase step: Taylor to x⁹/x¹⁰ when |x| &lt; 0.1 rad (the next term is below
    /// 3·10⁻¹⁹, under double precision's 1.1·10⁻¹⁶), else the library's. A step is at most 2π·500/fs, 0.065 rad at 48 kHz.
    /// </summary>
    private static (double Sin, double Cos) SmallSinCos(double x)
    {
        if (!(Math.Abs(x) < 0.1)) return Math.SinCos(x);
        var x2 = x * x;
        var sin = x * (1 - x2 * (1.0 / 6) * (1 - x2 * (1.0 / 20) * (1 - x2 * (1.0 / 42) * (1 - x2 * (1.0 / 72)))));
        var cos = 1 - x2 * 0.5 * (1 - x2 * (1.0 / 12) * (1 - x2 * (1.0 / 30) * (1 - x2 * (1.0 / 56) * (1 - x2 * (1.0 / 90)))));
        return (sin, cos);
    }

    public bool Locked { get; private set; }

    /// <summary>Counts acquisitions: a new lock means a new phase reference.</summary>
    public int Acquisitions { get; private set; }

    /// <summary>The smoothed instantaneous frequency f + K_p·θ̄ (Hz).</summary>
    public double SmoothFrequency => _f + _kp * _thetaSmooth;

    /// <summary>
    /// Frequency for extrapolation: ψ's advance over exactly one fundamental period T (the loop's ripple comes
    /// from the harmonics, so it is periodic in T and averages out), moved forward by half a period along ḟ.
    /// </summary>
    public double PredictionFrequency => _periodFrequency;

    /// <summary>
    /// The basis phase ψ expected <paramref name="samples"/> ahead: ψ + 2π (f·Δ + ½ ḟ Δ²). ψ integrates the loop's
    /// smoothed frequency f + K_p·θ̄: it follows the noise as the PLL does, without the PLL's ripple (harmonics leak
    /// into the phase detector), so extrapolating it is exact for anything but a change of frequency inside Δ.
    /// </summary>
    private double PhaseAhead(int samples)
    {
        var dt = (double)samples / _sampleRate;
        return _basisPhase + 2 * Math.PI * (_periodFrequency * dt + 0.5 * _slope * dt * dt);
    }

    public void Push(float x)
    {
        if (!Locked)
        {
            _acquire[_filled++] = x;
            // First try after 50 ms (fundamentals ≥ 40 Hz: hum, fans — locks fast), then with the full 100 ms.
            if (_filled == _acquire.Length / 2) Acquire(_acquire.AsSpan(0, _filled));
            else if (_filled == _acquire.Length)
            {
                Acquire(_acquire);
                _filled = 0;
            }
            return;
        }

        var tick = ++_tick == LoopEvery;
        if (tick) _tick = 0;
        // Comb demodulator: the baseband summed over exactly one period T rejects every harmonic of f
        // (they complete whole cycles in T), where a low-pass would let them ripple into θ.
        _sumI += x * _phiCos;
        _sumQ -= x * _phiSin;
        _cumI[_combHead] = _sumI;
        _cumQ[_combHead] = _sumQ;
        _combHead = _combHead + 1 == _cumI.Length ? 0 : _combHead + 1;
        if (tick)
        {
            // Every LoopEvery samples: the phase detector (one atan2), then exact phasors and rotations.
            var combPeriod = Math.Clamp((int)Math.Round(_sampleRate / Math.Max(_f, MinF0)), 1, _cumI.Length - 1);
            var old = _combHead - 1 - combPeriod; // ≥ −length: one wrap, no division
            if (old < 0) old += _cumI.Length;
            _i = (_sumI - _cumI[old]) / combPeriod;
            _q = (_sumQ - _cumQ[old]) / combPeriod;
            // For one period after a lock or a restore the comb still holds assumed history: free-run at f.
            _theta = _settle > 0 ? 0 : Math.Atan2(_q, _i);
        }
        if (_settle > 0) _settle--;
        _thetaSmooth += _smooth * (_theta - _thetaSmooth);
        _f = Math.Clamp(_f + _ki * _theta, MinF0, MaxF0);
        _phi += (_f + _kp * _theta) * _radiansPerHz;
        if (_phi >= 2 * Math.PI) _phi -= 2 * Math.PI;
        else if (_phi < 0) _phi += 2 * Math.PI;
        var step = SmoothFrequency * _radiansPerHz;
        _basisPhase += step;
        if (_basisPhase >= 2 * Math.PI) _basisPhase -= 2 * Math.PI;
        _cumulative += step;
        if (_cumulative > 1e6) // keep precision: shift the whole ring by a multiple of 2π
        {
            var shift = 2 * Math.PI * Math.Floor(_cumulative / (2 * Math.PI));
            _cumulative -= shift;
            for (var k = 0; k < _unwrapped.Length; k++) _unwrapped[k] -= shift;
        }
        _unwrapped[_head] = _cumulative;
        _head = _head + 1 == _unwrapped.Length ? 0 : _head + 1;
        // The basis phasor is not rotated here: its one reader (HarmonicCanceller) takes it at ticks only and turns its own
        // powers between them.
        if (tick) Resync();
        else (_phiCos, _phiSin) = Rotate(_phiCos, _phiSin, _phiStepCos, _phiStepSin);

        if (++_sinceSlope >= _slopeEvery) // every 10 ms: ḟ from the period-averaged frequency, smoothed over ~50 ms
        {
            var measured = (_periodFrequency - _lastF) * _sampleRate / _sinceSlope;
            _slope += 0.2 * (measured - _slope);
            _lastF = _periodFrequency;
            _sinceSlope = 0;
        }

        // Coherent tone power: the baseband vector averaged over 50 ms. A locked tone holds it still; noise
        // that merely has power near f spins it around and averages out.
        _ci += _powerRate * (_i - _ci);
        _cq += _powerRate * (_q - _cq);
        _tonePower = 4 * (_ci * _ci + _cq * _cq);
        _power += _powerRate * (x * x - _power);
        if (_tonePower < 0.2 * _power) { if (++_unlocked > _unlockAfter) Locked = false; }
        else _unlocked = 0;
    }

    /// <summary>The tracker's state after one sample of <see cref="PushBlock"/>, as the canceller reads it.</summary>
    public struct SampleState
    {
        public double SmoothFrequency;
        public int Acquisitions;
        public int Ticks;
        public int TickIndex; // where the last tick's phasors of the block are (valid once Ticks has moved in the block)
        public bool Locked;
    }

    /// <summary>The phasors of one tick: <see cref="BasisCos"/>…, <see cref="StepCos"/>…, <see cref="AheadCos"/>….</summary>
    public readonly record struct TickPhasors(double BasisCos, double BasisSin, double StepCos, double StepSin, double AheadCos, double AheadSin);

    /// <summary>
    /// <see cref="Push"/> for each sample of a segment, recording the state after each (<paramref name="samples"/>) and each
    /// tick's phasors (<paramref name="ticks"/>, at most one per sample). While locked the loop keeps the per-sample state
    /// in registers (<see cref="RunLocked"/>); the same operations in the same order as <see cref="Push"/>, so the same bits.
    /// </summary>
    public void PushBlock(ReadOnlySpan<float> x, Span<SampleState> samples, Span<TickPhasors> ticks)
    {
        samples = samples[..x.Length];
        ticks = ticks[..x.Length];
        var tickCount = 0;
        for (var n = 0; n < x.Length;)
        {
            if (Locked)
            {
                n = RunLocked(x, n, samples, ticks, ref tickCount);
                continue;
            }
            var before = Ticks;
            Push(x[n]);
            if (Ticks != before) ticks[tickCount++] = Phasors;
            samples[n] = new SampleState { SmoothFrequency = SmoothFrequency, Acquisitions = Acquisitions, Ticks = Ticks, TickIndex = tickCount - 1, Locked = Locked };
            n++;
        }
    }

    /// <summary>The phasors of the last tick.</summary>
    public TickPhasors Phasors => new(BasisCos, BasisSin, _psiStepCos, _psiStepSin, AheadCos, AheadSin);

    /// <summary>
    /// <see cref="Push"/>'s locked branch from sample <paramref name="from"/> while the lock holds (up to and including the
    /// sample that loses it), the state that changes every sample in locals; at a tick it is written back for
    /// <see cref="Resync"/>. Returns the next sample.
    /// </summary>
    private int RunLocked(ReadOnlySpan<float> x, int from, Span<SampleState> samples, Span<TickPhasors> ticks, ref int tickCount)
    {
        double sumI = _sumI, sumQ = _sumQ, thetaSmooth = _thetaSmooth, f = _f, phi = _phi, basisPhase = _basisPhase, cumulative = _cumulative;
        double phiCos = _phiCos, phiSin = _phiSin, ci = _ci, cq = _cq, power = _power, theta = _theta;
        int tickPhase = _tick, combHead = _combHead, head = _head, settle = _settle, sinceSlope = _sinceSlope, unlocked = _unlocked;
        var cumI = _cumI;
        var cumQ = _cumQ;
        var unwrapped = _unwrapped;
        var combLength = cumI.Length;
        var ringLength = unwrapped.Length;
        const double twoPi = 2 * Math.PI;
        var locked = true;
        var n = from;
        for (; n < x.Length && locked; n++)
        {
            var xf = x[n];
            double v = xf;
            var tick = ++tickPhase == LoopEvery;
            if (tick) tickPhase = 0;
            sumI += v * phiCos;
            sumQ -= v * phiSin;
            cumI[combHead] = sumI;
            cumQ[combHead] = sumQ;
            combHead = combHead + 1 == combLength ? 0 : combHead + 1;
            if (tick)
            {
                var combPeriod = Math.Clamp((int)Math.Round(_sampleRate / Math.Max(f, MinF0)), 1, combLength - 1);
                var old = combHead - 1 - combPeriod;
                if (old < 0) old += combLength;
                _i = (sumI - cumI[old]) / combPeriod;
                _q = (sumQ - cumQ[old]) / combPeriod;
                theta = settle > 0 ? 0 : Math.Atan2(_q, _i);
            }
            if (settle > 0) settle--;
            thetaSmooth += _smooth * (theta - thetaSmooth);
            f = Math.Clamp(f + _ki * theta, MinF0, MaxF0);
            phi += (f + _kp * theta) * _radiansPerHz;
            if (phi >= twoPi) phi -= twoPi;
            else if (phi < 0) phi += twoPi;
            var smoothFrequency = f + _kp * thetaSmooth;
            var step = smoothFrequency * _radiansPerHz;
            basisPhase += step;
            if (basisPhase >= twoPi) basisPhase -= twoPi;
            cumulative += step;
            if (cumulative > 1e6)
            {
                var shift = twoPi * Math.Floor(cumulative / twoPi);
                cumulative -= shift;
                for (var k = 0; k < ringLength; k++) unwrapped[k] -= shift;
            }
            unwrapped[head] = cumulative;
            head = head + 1 == ringLength ? 0 : head + 1;
            if (tick)
            {
                (_phi, _basisPhase, _f, _theta, _thetaSmooth, _head, _cumulative) = (phi, basisPhase, f, theta, thetaSmooth, head, cumulative);
                Resync();
                (phiCos, phiSin) = (_phiCos, _phiSin);
                ticks[tickCount++] = Phasors;
            }
            else (phiCos, phiSin) = Rotate(phiCos, phiSin, _phiStepCos, _phiStepSin);

            if (++sinceSlope >= _slopeEvery)
            {
                var measured = (_periodFrequency - _lastF) * _sampleRate / sinceSlope;
                _slope += 0.2 * (measured - _slope);
                _lastF = _periodFrequency;
                sinceSlope = 0;
            }

            ci += _powerRate * (_i - ci);
            cq += _powerRate * (_q - cq);
            var tonePower = 4 * (ci * ci + cq * cq);
            power += _powerRate * (xf * xf - power); // x² in float, as Push forms it
            if (tonePower < 0.2 * power) { if (++unlocked > _unlockAfter) locked = false; }
            else unlocked = 0;
            _tonePower = tonePower;
            samples[n] = new SampleState { SmoothFrequency = smoothFrequency, Acquisitions = Acquisitions, Ticks = Ticks, TickIndex = tickCount - 1, Locked = locked };
        }
        (_sumI, _sumQ, _thetaSmooth, _f, _phi, _basisPhase, _cumulative) = (sumI, sumQ, thetaSmooth, f, phi, basisPhase, cumulative);
        (_phiCos, _phiSin, _ci, _cq, _power, _theta) = (phiCos, phiSin, ci, cq, power, theta);
        (_tick, _combHead, _head, _settle, _sinceSlope, _unlocked) = (tickPhase, combHead, head, settle, sinceSlope, unlocked);
        Locked = locked;
        return n;
    }

    /// <summary>
    /// Coarse f0 from the autocorrelation's first strong peak, on the buffer decimated by 4 (4-sample means: the
    /// search costs 1/16 of full rate), refined by parabolic interpolation and then by <see cref="Refine"/>.
    /// </summary>
    private void Acquire(ReadOnlySpan<float> x)
    {
        const int decimation = 4;
        var rate = (double)_sampleRate / decimation;
        var length = x.Length / decimation;
        var coarse = _decimated.AsSpan(0, length);
        for (var i = 0; i < length; i++)
            coarse[i] = 0.25f * (x[4 * i] + x[4 * i + 1] + x[4 * i + 2] + x[4 * i + 3]);
        var minLag = (int)(rate / MaxF0);
        var maxLag = Math.Min((int)(rate / MinF0), length / 2);
        var window = length - maxLag - 1;
        var energy = System.Numerics.Tensors.TensorPrimitives.Dot(coarse[..window], coarse[..window]);
        if (energy <= 1e-20f) return;
        Span<float> r = stackalloc float[maxLag + 2 + LagPadding];
        Lags(_decimated, window, minLag - 1, maxLag + 1, r);
        for (var lag = minLag - 1; lag <= maxLag + 1; lag++) r[lag] /= energy;
        var best = -1;
        var peak = 0f;
        for (var lag = minLag; lag <= maxLag; lag++) peak = Math.Max(peak, r[lag]);
        if (peak < 0.7f) return; // nothing periodic enough to lock on
        for (var lag = minLag; lag <= maxLag; lag++)
            if (r[lag] >= 0.85f * peak && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) { best = lag; break; }
        if (best < 0) return;
        var a = r[best - 1]; var b = r[best]; var c = r[best + 1];
        var denominator = a - 2 * b + c;
        var offset = denominator < 0 ? 0.5 * (a - c) / denominator : 0;
        _f = Math.Clamp(rate / (best + offset), MinF0, MaxF0);
        if (Refine(x, _f) is not { } refined) return; // not one steady tone across the buffer
        _f = refined;
        _lastF = _periodFrequency = _f;
        _slope = 0;
        _i = _q = _thetaSmooth = 0;
        _tonePower = _power = 0;
        _unlocked = 0;
        // Start the loop in phase with the fundamental (its phase at the newest sample, from the last two
        // periods), so there is no pull-in transient; and the period ring as a steady advance at f.
        var span = Math.Min(x.Length, 2 * (int)Math.Ceiling(_sampleRate / _f));
        double re = 0, im = 0;
        var w = 2 * Math.PI * _f / _sampleRate;
        for (var n = x.Length - span; n < x.Length; n++)
        {
            var (sin, cos) = Math.SinCos(w * (n - (x.Length - 1)));
            re += x[n] * cos;
            im -= x[n] * sin;
        }
        // arg c is the phase at the newest sample; the next Push sees the sample after it.
        _phi = _basisPhase = (Math.Atan2(im, re) + w + 2 * Math.PI) % (2 * Math.PI);
        _i = Math.Sqrt(re * re + im * im) / span; // the baseband as the loop will see it, already in phase
        _q = 0;
        _ci = _i;
        _cq = 0;
        _tonePower = 4 * _i * _i;
        var tail = x[^span..];
        _power = System.Numerics.Tensors.TensorPrimitives.Dot(tail, tail) / span;
        if (_tonePower < 0.5 * _power) return; // the fundamental must carry a quarter of the power (A²/2 vs 4|c|²)
        SteadyComb();
        _cumulative = 0;
        for (var k = 0; k < _unwrapped.Length; k++) _unwrapped[k] = -(_unwrapped.Length - 1 - k) * w;
        _head = 0;
        _theta = 0;
        _tick = 0;
        Locked = true;
        Acquisitions++;
        Resync();
    }

    /// <summary>
    /// r[lag] = Σ_{n &lt; window} c(n) c(n + lag) for lag = first … last, four vectors of lags at a time (one broadcast per
    /// sample shared by four independent multiply-add chains, no horizontal sums): the autocorrelation as one kernel
    /// instead of a dot-product call per lag. Lanes past <paramref name="last"/> are computed and dropped; they may read up
    /// to <see cref="LagPadding"/> floats past the signal, which <paramref name="c"/>'s padding holds.
    /// </summary>
    private static void Lags(float[] c, int window, int first, int last, Span<float> r)
    {
        ref var c0 = ref MemoryMarshal.GetArrayDataReference(c);
        ref var r0 = ref MemoryMarshal.GetReference(r);
        if (Vector512.IsHardwareAccelerated)
        {
            for (var lag = first; lag <= last; lag += 64)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
                for (var n = 0; n < window; n++)
                {
                    var x = Vector512.Create(Unsafe.Add(ref c0, n));
                    var at = (nuint)(n + lag);
                    a0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref c0, at), a0);
                    a1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref c0, at + 16), a1);
                    a2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref c0, at + 32), a2);
                    a3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref c0, at + 48), a3);
                }
                a0.StoreUnsafe(ref r0, (nuint)lag);
                a1.StoreUnsafe(ref r0, (nuint)lag + 16);
                a2.StoreUnsafe(ref r0, (nuint)lag + 32);
                a3.StoreUnsafe(ref r0, (nuint)lag + 48);
            }
            return;
        }
        var v = Vector<float>.Count;
        for (var lag = first; lag <= last; lag += 4 * v)
        {
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var n = 0; n < window; n++)
            {
                var x = new Vector<float>(Unsafe.Add(ref c0, n));
                var at = (nuint)(n + lag);
                a0 += x * Vector.LoadUnsafe(ref c0, at);
                a1 += x * Vector.LoadUnsafe(ref c0, at + (nuint)v);
                a2 += x * Vector.LoadUnsafe(ref c0, at + (nuint)(2 * v));
                a3 += x * Vector.LoadUnsafe(ref c0, at + (nuint)(3 * v));
            }
            a0.StoreUnsafe(ref r0, (nuint)lag);
            a1.StoreUnsafe(ref r0, (nuint)(lag + v));
            a2.StoreUnsafe(ref r0, (nuint)(lag + 2 * v));
            a3.StoreUnsafe(ref r0, (nuint)(lag + 3 * v));
        }
    }

    /// <summary>Floats the lag kernel may read or write past the signal and past r: four vectors of the widest width.</summary>
    private const int LagPadding = 64;

    /// <summary>
    /// Refines f by the phase the fundamental turns through between the first and the last two periods of
    /// the buffer: f + arg(c₂ c₁*) / (2π Δt). Single-bin DFTs over whole periods reject the harmonics.
    /// </summary>
    /// <returns>null when the two segments disagree (amplitude off by more than 1.4×, or turned by more than
    /// 1 rad): band noise with power near f, not a tone.</returns>
    private double? Refine(ReadOnlySpan<float> x, double f)
    {
        var period = (int)Math.Round(_sampleRate / f);
        var span = 2 * period;
        if (x.Length < 2 * span) return null;
        var w = 2 * Math.PI * f / _sampleRate;
        var (re1, im1) = Bin(x[..span], w, 0);
        var (re2, im2) = Bin(x[^span..], w, x.Length - span);
        var turn = Math.Atan2(im2 * re1 - re2 * im1, re2 * re1 + im2 * im1); // arg(c₂ c₁*)
        var ratio = Math.Sqrt((re2 * re2 + im2 * im2) / Math.Max(re1 * re1 + im1 * im1, 1e-30));
        if (ratio is < 0.7 or > 1.43 || Math.Abs(turn) > 1.0) return null;
        return Math.Clamp(f + turn * _sampleRate / (2 * Math.PI * (x.Length - span)), MinF0, MaxF0);
    }

    private static (double Re, double Im) Bin(ReadOnlySpan<float> x, double w, int start)
    {
        double re = 0, im = 0;
        for (var n = 0; n < x.Length; n++)
        {
            var (sin, cos) = Math.SinCos(w * (start + n));
            re += x[n] * cos;
            im -= x[n] * sin;
        }
        return (re, im);
    }

    /// <summary>Fills the comb as if the last period had been steady at the current baseband (i, q).</summary>
    private void SteadyComb()
    {
        _settle = (int)Math.Round(_sampleRate / Math.Max(_f, MinF0));
        _sumI = _sumQ = 0;
        for (var k = 0; k < _cumI.Length; k++)
        {
            _cumI[k] = -(_cumI.Length - 1 - k) * _i;
            _cumQ[k] = -(_cumQ.Length - 1 - k) * _q;
        }
        _combHead = 0;
    }

    /// <summary>Counts re-synchronisations (every <c>LoopEvery</c> samples while locked, and at a lock or a restore): at each,
    /// <see cref="BasisCos"/>/<see cref="BasisSin"/> is exact; until the next, the basis turns by <see cref="StepCos"/>/<see cref="StepSin"/>
    /// per sample (the caller turns it: the tracker does not).</summary>
    public int Ticks { get; private set; }

    /// <summary>e^{jΔψ}: the basis phasor's rotation per sample until the next tick.</summary>
    public double StepCos => _psiStepCos;
    public double StepSin => _psiStepSin;

    /// <summary>e^{jψ} at the last tick (<see cref="Ticks"/>): the basis phasor, not rotated between ticks.</summary>
    public double BasisCos { get; private set; } = 1;
    public double BasisSin { get; private set; }

    /// <summary>e^{j(ψ̂(n+Δ) − ψ(n))}: the rotation from now to the extrapolated phase Δ = <see cref="Ahead"/> samples on.</summary>
    public double AheadCos { get; private set; } = 1;
    public double AheadSin { get; private set; }

    /// <summary>How far ahead <see cref="AheadCos"/>/<see cref="AheadSin"/> look, in samples (the loop delay).</summary>
    public int Ahead { get => _ahead; set => _ahead = Math.Max(0, value); }

    private static (double Cos, double Sin) Rotate(double c, double s, double rc, double rs) => (c * rc - s * rs, s * rc + c * rs);

    /// <summary>Exact phasors from the phases, the period-averaged frequency, and the rotations until the next tick.</summary>
    private void Resync()
    {
        Ticks++;
        var period = Math.Clamp((int)Math.Round(_sampleRate / Math.Max(SmoothFrequency, MinF0)), 1, _unwrapped.Length - 1);
        var at = _head - 1 - period; // ≥ −length: one wrap, no division
        var then = _unwrapped[at < 0 ? at + _unwrapped.Length : at];
        var averaged = (_cumulative - then) * _sampleRate / (2 * Math.PI * period);
        _periodFrequency = averaged + _slope * 0.5 * period / _sampleRate;
        var phiStep = (_f + _kp * _theta) * _radiansPerHz;
        var ahead = PhaseAhead(_ahead) - _basisPhase;
        (_psiStepSin, _psiStepCos) = SmallSinCos(SmoothFrequency * _radiansPerHz);
        if (Vector256.IsHardwareAccelerated)
        {
            // The four sincos of a tick at once (within an ulp of Math.SinCos; 2.5× faster than three calls of it).
            var (sin, cos) = Vector256.SinCos(Vector256.Create(_phi, _basisPhase, ahead, phiStep));
            (_phiCos, _phiSin) = (cos.GetElement(0), sin.GetElement(0));
            (BasisCos, BasisSin) = (cos.GetElement(1), sin.GetElement(1));
            (AheadCos, AheadSin) = (cos.GetElement(2), sin.GetElement(2));
            (_phiStepCos, _phiStepSin) = (cos.GetElement(3), sin.GetElement(3));
            return;
        }
        (_phiSin, _phiCos) = Math.SinCos(_phi);
        var (bs, bc) = Math.SinCos(_basisPhase);
        (BasisCos, BasisSin) = (bc, bs);
        (_phiStepSin, _phiStepCos) = SmallSinCos(phiStep);
        var (asn, acs) = Math.SinCos(ahead);
        (AheadCos, AheadSin) = (acs, asn);
    }

    public void Reset()
    {
        Locked = false;
        _filled = 0;
        _f = _slope = _phi = _i = _q = 0;
    }

    public const int StateLength = 15;

    public void SaveState(Span<float> d)
    {
        d[0] = Locked ? 1 : 0; d[1] = (float)_phi; d[2] = (float)_f; d[3] = (float)_slope; d[4] = (float)_lastF;
        d[5] = (float)_i; d[6] = (float)_q; d[7] = (float)_tonePower; d[8] = (float)_power; d[9] = _sinceSlope; d[10] = (float)_thetaSmooth; d[11] = (float)_basisPhase; d[12] = (float)_periodFrequency; d[13] = (float)_ci; d[14] = (float)_cq;
    }

    public void LoadState(ReadOnlySpan<float> s)
    {
        Locked = s[0] != 0; _phi = s[1]; _f = s[2]; _slope = s[3]; _lastF = s[4];
        _i = s[5]; _q = s[6]; _tonePower = s[7]; _power = s[8]; _sinceSlope = (int)s[9]; _thetaSmooth = s[10]; _basisPhase = s[11]; _periodFrequency = s[12]; _ci = s[13]; _cq = s[14];
        // The period ring is not stored: rebuild it as a steady advance at the stored frequency.
        _cumulative = 0;
        var step = 2 * Math.PI * _periodFrequency / _sampleRate;
        for (var k = 0; k < _unwrapped.Length; k++) _unwrapped[k] = -(_unwrapped.Length - 1 - k) * step;
        _head = 0;
        SteadyComb();
        _unlocked = 0;
        _filled = 0;
        _theta = _thetaSmooth;
        _tick = 0;
        Resync();
    }
}
