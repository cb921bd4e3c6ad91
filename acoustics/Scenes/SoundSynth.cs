using AncOrleans.Dsp;
namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// Building blocks for the synthetic noise library (<see cref="NoiseLibrary"/>): coloured and band-limited
/// noise, harmonic series, amplitude envelopes, impulse trains with decaying resonances, tone bursts and
/// chirps. Every block is deterministic given its <see cref="NoiseGenerator"/>; levels are normalised by the
/// caller (<see cref="Normalize"/>), so the blocks only have to get the spectral and temporal shape right.
/// </summary>
public static class SoundSynth
{
    /// <summary>White noise band-limited to [low, high] Hz (4th-order Butterworth).</summary>
    public static float[] BandWhite(int n, int rate, double low, double high, NoiseGenerator random)
    {
        var signal = random.White(n);
        Band(signal, rate, low, high);
        return signal;
    }

    /// <summary>Brown (1/f²) noise: leaky-integrated white noise, high-passed at 20 Hz.</summary>
    public static float[] Brown(int n, int rate, NoiseGenerator random)
    {
        var signal = new float[n];
        double state = 0;
        for (var i = 0; i < n; i++)
        {
            state = 0.998 * state + 0.05 * random.NextGaussian();
            signal[i] = (float)state;
        }
        foreach (var q in Biquad.Butterworth4) Biquad.HighPass(20, rate, q).Process(signal);
        return signal;
    }

    public static void Band(Span<float> signal, int rate, double low, double high)
    {
        high = Math.Min(high, 0.45 * rate);
        foreach (var q in Biquad.Butterworth4)
        {
            if (low > 0) Biquad.HighPass(low, rate, q).Process(signal);
            Biquad.LowPass(high, rate, q).Process(signal);
        }
    }

    /// <summary>A harmonic series Σ a_k sin(k φ(t)) with a slowly wandering fundamental (drift as a fraction).</summary>
    public static float[] Harmonics(int n, int rate, double f0, double drift, double[] amplitudes, NoiseGenerator random)
    {
        var wander = SmoothRandom(n, rate, 0.3, random);
        var cut = 0.45 * rate;
        var signal = new float[n];
        var phases = new double[amplitudes.Length];
        for (var k = 0; k < phases.Length; k++) phases[k] = 2 * Math.PI * random.NextUniform();
        double phase = 0;
        for (var i = 0; i < n; i++)
        {
            var f = f0 * (1 + drift * wander[i]);
            phase += 2 * Math.PI * f / rate;
            if (phase > 2 * Math.PI * 1e4) phase -= 2 * Math.PI * 1e4;
            double sum = 0;
            for (var k = 0; k < amplitudes.Length && (k + 1) * f < cut; k++) sum += amplitudes[k] * Math.Sin((k + 1) * phase + phases[k]);
            signal[i] = (float)sum;
        }
        return signal;
    }

    /// <summary>Amplitudes a_k = k^−slope for K harmonics (buzzy when slope is small).</summary>
    public static double[] Rolloff(int count, double slope) => Enumerable.Range(1, count).Select(k => Math.Pow(k, -slope)).ToArray();

    /// <summary>Band-limited random wander in [−1, 1] (smoothed noise, normalised): for drifts and gusts.</summary>
    public static float[] SmoothRandom(int n, int rate, double hz, NoiseGenerator random)
    {
        // a handful of random knots, cosine-interpolated: cheap and smooth
        var step = Math.Max(1, (int)(rate / Math.Max(0.05, hz)));
        var knots = new double[n / step + 3];
        for (var k = 0; k < knots.Length; k++) knots[k] = 2 * random.NextUniform() - 1;
        var signal = new float[n];
        for (var i = 0; i < n; i++)
        {
            var k = i / step;
            var f = (double)(i % step) / step;
            var w = 0.5 - 0.5 * Math.Cos(Math.PI * f);
            signal[i] = (float)(knots[k] * (1 - w) + knots[k + 1] * w);
        }
        return signal;
    }

    /// <summary>x ← x · (1 − depth + depth · env), env ∈ [0, 1]: sinusoidal at <paramref name="hz"/>.</summary>
    public static void Modulate(Span<float> signal, int rate, double hz, double depth, double phase = 0)
    {
        for (var i = 0; i < signal.Length; i++)
            signal[i] *= (float)(1 - depth + depth * 0.5 * (1 + Math.Sin(2 * Math.PI * hz * i / rate + phase)));
    }

    /// <summary>x ← x · (1 − depth + depth · env) with a smooth random envelope (gusts, swells).</summary>
    public static void ModulateRandom(Span<float> signal, int rate, double hz, double depth, NoiseGenerator random)
    {
        var envelope = SmoothRandom(signal.Length, rate, hz, random);
        for (var i = 0; i < signal.Length; i++) signal[i] *= (float)(1 - depth + depth * 0.5 * (1 + envelope[i]));
    }

    /// <summary>
    /// Adds impulses at <paramref name="perSecond"/> (regular with ±jitter, or Poisson when jitter ≥ 1): each a
    /// burst of band-limited noise or, when <paramref name="ring"/> &gt; 0, a decaying resonance at a random
    /// frequency in [low, high], with exponential decay <paramref name="decayMs"/>.
    /// </summary>
    public static void Impulses(Span<float> signal, int rate, double perSecond, double jitter, double decayMs,
        double low, double high, NoiseGenerator random, double ring = 0, double amplitude = 1)
    {
        var length = (int)(decayMs * 6 * rate / 1000) + 1;
        var burst = new float[length];
        var t = jitter >= 1 ? -Math.Log(1 - random.NextUniform()) / perSecond : random.NextUniform() / perSecond;
        while (t * rate < signal.Length)
        {
            var gain = amplitude * (0.5 + random.NextUniform());
            if (ring > 0)
            {
                var hz = low + (high - low) * random.NextUniform();
                var phase = 2 * Math.PI * random.NextUniform();
                for (var i = 0; i < length; i++) burst[i] = (float)(Math.Sin(2 * Math.PI * hz * i / rate + phase) * Math.Exp(-i * 1000.0 / (decayMs * rate)));
            }
            else
            {
                for (var i = 0; i < length; i++) burst[i] = (float)(random.NextGaussian() * Math.Exp(-i * 1000.0 / (decayMs * rate)));
                Band(burst, rate, low, high);
            }
            var start = (int)(t * rate);
            for (var i = 0; i < length && start + i < signal.Length; i++) signal[start + i] += (float)(gain * burst[i]);
            t += jitter >= 1 ? -Math.Log(1 - random.NextUniform()) / perSecond : (1 + jitter * (2 * random.NextUniform() - 1)) / perSecond;
        }
    }

    /// <summary>Adds groups of <paramref name="count"/> tone bursts (on, off seconds) every <paramref name="period"/> seconds.</summary>
    public static void Beeps(Span<float> signal, int rate, double[] hz, double on, double off, int count, double period, double start = 0)
    {
        for (var i = 0; i < signal.Length; i++)
        {
            var t = (double)i / rate - start;
            if (t < 0) continue;
            var inCycle = t % period;
            var k = (int)(inCycle / (on + off));
            if (k >= count || inCycle - k * (on + off) >= on) continue;
            var local = inCycle - k * (on + off);
            var ramp = Math.Min(1, Math.Min(local, on - local) / 0.005);
            double sum = 0;
            foreach (var f in hz) sum += Math.Sin(2 * Math.PI * f * t);
            signal[i] += (float)(ramp * sum / hz.Length);
        }
    }

    /// <summary>Adds frequency sweeps (bird chirps) of <paramref name="seconds"/> from f1 to f2 at random times.</summary>
    public static void Chirps(Span<float> signal, int rate, double perSecond, double seconds, double f1, double f2, NoiseGenerator random)
    {
        var t = random.NextUniform() / perSecond;
        var length = (int)(seconds * rate);
        while (t * rate + length < signal.Length)
        {
            var scale = 0.8 + 0.4 * random.NextUniform();
            double phase = 0;
            var start = (int)(t * rate);
            for (var i = 0; i < length; i++)
            {
                var x = (double)i / length;
                phase += 2 * Math.PI * scale * (f1 + (f2 - f1) * x) / rate;
                signal[start + i] += (float)(Math.Sin(Math.PI * x) * Math.Sin(phase));
            }
            t += (0.5 + random.NextUniform()) / perSecond;
        }
    }

    /// <summary>a + b scaled so that b sits <paramref name="belowDb"/> under a (by RMS).</summary>
    public static float[] Add(float[] a, float[] b, double belowDb)
    {
        var ra = Scenarios.Rms(a);
        var rb = Scenarios.Rms(b);
        var gain = rb > 0 ? (float)(ra / rb * Math.Pow(10, -belowDb / 20)) : 0f;
        var result = new float[a.Length];
        for (var i = 0; i < a.Length; i++) result[i] = a[i] + gain * b[i];
        return result;
    }

    /// <summary>Scales to the given RMS (silence stays silent).</summary>
    public static float[] Normalize(float[] signal, double rms)
    {
        var r = Scenarios.Rms(signal);
        if (r <= 0) return signal;
        var gain = (float)(rms / r);
        for (var i = 0; i < signal.Length; i++) signal[i] *= gain;
        return signal;
    }

    /// <summary>
    /// A room: Schroeder's reverberator ("Natural sounding artificial reverberation", JAES 10(3), 1962) — four
    /// parallel feedback combs (delays 29–45 ms, gains set for the reverberation time) into two all-passes —
    /// mixed with the dry signal at <paramref name="wet"/>.
    /// </summary>
    public static float[] Room(float[] dry, int rate, double rt60, double wet, NoiseGenerator random)
    {
        var result = new float[dry.Length];
        foreach (var ms in new[] { 29.7, 37.1, 41.1, 43.7 })
        {
            var delay = (int)(ms * (0.9 + 0.2 * random.NextUniform()) * rate / 1000);
            var gain = (float)Math.Pow(10, -3.0 * delay / (rt60 * rate));
            var line = new float[delay];
            for (int i = 0, slot = 0; i < dry.Length; i++, slot = (slot + 1) % delay)
            {
                var y = line[slot];
                line[slot] = dry[i] + gain * y;
                result[i] += 0.25f * y;
            }
        }
        foreach (var (ms, g) in new[] { (5.0, 0.7f), (1.7, 0.7f) })
        {
            var delay = Math.Max(1, (int)(ms * rate / 1000));
            var line = new float[delay];
            for (int i = 0, slot = 0; i < result.Length; i++, slot = (slot + 1) % delay)
            {
                var delayed = line[slot];
                var input = result[i] + g * delayed;
                line[slot] = input;
                result[i] = delayed - g * input;
            }
        }
        var dryGain = (float)(1 - wet);
        var wetGain = (float)(wet * Scenarios.Rms(dry) / Math.Max(1e-9, Scenarios.Rms(result)));
        for (var i = 0; i < result.Length; i++) result[i] = dryGain * dry[i] + wetGain * result[i];
        return result;
    }

    /// <summary>y(n) = sign(x)·|x|^p, a soft "buzz" that adds odd harmonics (p &lt; 1).</summary>
    public static void Buzz(Span<float> signal, double p)
    {
        for (var i = 0; i < signal.Length; i++) signal[i] = (float)(Math.Sign(signal[i]) * Math.Pow(Math.Abs(signal[i]), p));
    }
}
