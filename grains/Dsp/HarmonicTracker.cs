namespace AncOrleans.Dsp;

/// <summary>
/// Tracks the fundamental of a harmonic noise (hum, engine orders, blade-pass tones) in the reference signal:
/// a coarse autocorrelation estimate to acquire (Rabiner, "On the use of autocorrelation analysis for pitch
/// detection", IEEE TASSP 25(1), 1977), then a second-order phase-locked loop (Gardner, "Phaselock
/// Techniques", 3rd ed., ch. 2–3) that follows sweeps:
/// <code>
///   c(n)  = LP{ x(n) e^{−jφ(n)} }                     complex baseband of the fundamental
///   θ(n)  = arg c(n)                                    phase error
///   f    ← f + K_i θ;   φ ← φ + 2π (f + K_p θ) / fs     type-2 loop: no frequency error on a ramp
/// </code>
/// The loop's natural frequency is 8 Hz (ζ = 0.7). <see cref="PhaseAhead"/> extrapolates the phase across
/// the loop delay with the frequency and its slope ḟ, so a sweep of 80 Hz/s costs no systematic phase error
/// in the prediction. Lock is declared lost when the tracked tone carries under 5 % of the power for 0.2 s.
/// </summary>
public sealed class HarmonicTracker
{
    private const double MinF0 = 25, MaxF0 = 500;
    private readonly int _sampleRate;
    private readonly float[] _acquire;    // acquisition buffer (100 ms)
    private int _filled;                  // samples in the acquisition buffer
    private double _phi;                  // φ, radians in [0, 2π)
    private double _f;                    // f, Hz
    private double _slope;                // ḟ, Hz/s (smoothed)
    private double _lastF;                // f at the last slope update
    private int _sinceSlope;              // samples since the last slope update
    private double _i, _q;                // low-passed baseband
    private double _thetaSmooth;          // θ low-passed at 5 Hz: the loop's frequency correction without its ripple
    private double _basisPhase;           // ψ: integral of the smoothed frequency, the phase the harmonic basis uses
    private readonly double[] _unwrapped; // ψ unwrapped, ring over the longest period (for period-averaged frequency)
    private int _head;                    // next slot of _unwrapped
    private double _cumulative;           // ψ unwrapped
    private double _periodFrequency;      // frequency averaged over the last fundamental period
    private double _tonePower, _power;    // for the lock detector
    private int _unlocked;                // samples with too little tone power
    private readonly double _lowpass, _kp, _ki, _powerRate, _smooth;

    public HarmonicTracker(int sampleRate)
    {
        _sampleRate = sampleRate;
        _acquire = new float[sampleRate / 10];
        _unwrapped = new double[(int)(sampleRate / MinF0) + 2];
        _lowpass = 1 - Math.Exp(-2 * Math.PI * 30.0 / sampleRate);
        var wn = 2 * Math.PI * 8.0;
        _kp = 2 * 0.7 * wn / (2 * Math.PI);                    // Hz per radian
        _ki = wn * wn / (2 * Math.PI * sampleRate);             // Hz per radian per sample
        _powerRate = 1 - Math.Exp(-1.0 / (0.05 * sampleRate));
        _smooth = 1 - Math.Exp(-2 * Math.PI * 5.0 / sampleRate);
    }

    public bool Locked { get; private set; }

    /// <summary>Counts acquisitions: a new lock means a new phase reference.</summary>
    public int Acquisitions { get; private set; }
    public double Frequency => _f;
    public double Slope => _slope;
    /// <summary>ψ(n), the basis phase: the integral of the loop's smoothed frequency f + K_p·θ̄. It follows the
    /// noise as the PLL does, but without the PLL's ripple (harmonics leak into the phase detector), so that
    /// extrapolating it across D is exact for anything but a change of frequency inside D.</summary>
    public double Phase => _basisPhase;

    /// <summary>The smoothed instantaneous frequency f + K_p·θ̄ (Hz).</summary>
    public double SmoothFrequency => _f + _kp * _thetaSmooth;

    /// <summary>
    /// Frequency for extrapolation: ψ's advance over exactly one fundamental period T (the loop's ripple comes
    /// from the harmonics, so it is periodic in T and averages out), moved forward by half a period along ḟ.
    /// </summary>
    public double PredictionFrequency => _periodFrequency;

    /// <summary>The phase expected <paramref name="samples"/> ahead: φ + 2π (f·Δ + ½ ḟ Δ²).</summary>
    public double PhaseAhead(int samples)
    {
        var dt = (double)samples / _sampleRate;
        return _basisPhase + 2 * Math.PI * (_periodFrequency * dt + 0.5 * _slope * dt * dt);
    }

    public void Push(float x)
    {
        if (!Locked)
        {
            _acquire[_filled++] = x;
            if (_filled == _acquire.Length)
            {
                Acquire();
                _filled = 0;
            }
            return;
        }

        var cos = Math.Cos(_phi);
        var sin = Math.Sin(_phi);
        _i += _lowpass * (x * cos - _i);
        _q += _lowpass * (-x * sin - _q);
        var theta = Math.Atan2(_q, _i);
        _thetaSmooth += _smooth * (theta - _thetaSmooth);
        _f = Math.Clamp(_f + _ki * theta, MinF0, MaxF0);
        _phi += 2 * Math.PI * (_f + _kp * theta) / _sampleRate;
        if (_phi >= 2 * Math.PI) _phi -= 2 * Math.PI;
        else if (_phi < 0) _phi += 2 * Math.PI;
        var step = 2 * Math.PI * SmoothFrequency / _sampleRate;
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
        var period = Math.Clamp((int)Math.Round(_sampleRate / Math.Max(SmoothFrequency, MinF0)), 1, _unwrapped.Length - 1);
        var then = _unwrapped[(_head - 1 - period + 2 * _unwrapped.Length) % _unwrapped.Length];
        var averaged = (_cumulative - then) * _sampleRate / (2 * Math.PI * period);
        _periodFrequency = averaged + _slope * 0.5 * period / _sampleRate;

        if (++_sinceSlope >= _sampleRate / 100) // every 10 ms: ḟ from the period-averaged frequency, smoothed over ~50 ms
        {
            var measured = (_periodFrequency - _lastF) * _sampleRate / _sinceSlope;
            _slope += 0.2 * (measured - _slope);
            _lastF = _periodFrequency;
            _sinceSlope = 0;
        }

        _tonePower += _powerRate * (4 * (_i * _i + _q * _q) - _tonePower);
        _power += _powerRate * (x * x - _power);
        if (_tonePower < 0.05 * _power) { if (++_unlocked > _sampleRate / 5) Locked = false; }
        else _unlocked = 0;
    }

    /// <summary>Coarse f0 from the autocorrelation's first strong peak, refined by parabolic interpolation.</summary>
    private void Acquire()
    {
        var x = _acquire.AsSpan();
        var minLag = (int)(_sampleRate / MaxF0);
        var maxLag = Math.Min((int)(_sampleRate / MinF0), x.Length / 2);
        var window = x.Length - maxLag - 1;
        var energy = System.Numerics.Tensors.TensorPrimitives.Dot(x[..window], x[..window]);
        if (energy <= 1e-20f) return;
        Span<float> r = stackalloc float[maxLag + 2];
        for (var lag = minLag - 1; lag <= maxLag + 1; lag++)
            r[lag] = System.Numerics.Tensors.TensorPrimitives.Dot(x[..window], x.Slice(lag, window)) / energy;
        var best = -1;
        var peak = 0f;
        for (var lag = minLag; lag <= maxLag; lag++) peak = Math.Max(peak, r[lag]);
        if (peak < 0.3f) return; // nothing periodic enough to lock on
        for (var lag = minLag; lag <= maxLag; lag++)
            if (r[lag] >= 0.85f * peak && r[lag] >= r[lag - 1] && r[lag] >= r[lag + 1]) { best = lag; break; }
        if (best < 0) return;
        var a = r[best - 1]; var b = r[best]; var c = r[best + 1];
        var denominator = a - 2 * b + c;
        var offset = denominator < 0 ? 0.5 * (a - c) / denominator : 0;
        _f = Math.Clamp(_sampleRate / (best + offset), MinF0, MaxF0);
        _lastF = _periodFrequency = _f;
        _slope = 0;
        _cumulative = 0;
        Array.Clear(_unwrapped);
        _head = 0;
        _i = _q = _thetaSmooth = 0;
        _phi = _basisPhase = 0;
        _tonePower = _power = 0;
        _unlocked = 0;
        Locked = true;
        Acquisitions++;
    }

    public void Reset()
    {
        Locked = false;
        _filled = 0;
        _f = _slope = _phi = _i = _q = 0;
    }

    public const int StateLength = 13;

    public void SaveState(Span<float> d)
    {
        d[0] = Locked ? 1 : 0; d[1] = (float)_phi; d[2] = (float)_f; d[3] = (float)_slope; d[4] = (float)_lastF;
        d[5] = (float)_i; d[6] = (float)_q; d[7] = (float)_tonePower; d[8] = (float)_power; d[9] = _sinceSlope; d[10] = (float)_thetaSmooth; d[11] = (float)_basisPhase; d[12] = (float)_periodFrequency;
    }

    public void LoadState(ReadOnlySpan<float> s)
    {
        Locked = s[0] != 0; _phi = s[1]; _f = s[2]; _slope = s[3]; _lastF = s[4];
        _i = s[5]; _q = s[6]; _tonePower = s[7]; _power = s[8]; _sinceSlope = (int)s[9]; _thetaSmooth = s[10]; _basisPhase = s[11]; _periodFrequency = s[12];
        // The period ring is not stored: rebuild it as a steady advance at the stored frequency.
        _cumulative = 0;
        var step = 2 * Math.PI * _periodFrequency / _sampleRate;
        for (var k = 0; k < _unwrapped.Length; k++) _unwrapped[k] = -(_unwrapped.Length - 1 - k) * step;
        _head = 0;
        _unlocked = 0;
        _filled = 0;
    }
}
