namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// A harmonic series with a time-varying fundamental, synthesised by phase accumulation so frequency
/// changes are continuous: s(n) = Σ_k a_k cos(k·φ(n) + θ_k), φ(n) = Σ_{m≤n} 2π f0(m)/fs.
/// </summary>
public static class HarmonicSource
{
    public static float[] Render(int length, int sampleRate, Func<double, double> fundamental,
        IReadOnlyList<double> amplitudes, NoiseGenerator random)
    {
        var phases = new double[amplitudes.Count];
        for (var k = 0; k < phases.Length; k++) phases[k] = 2 * Math.PI * random.NextUniform();
        var signal = new float[length];
        double phi = 0;
        for (var n = 0; n < length; n++)
        {
            phi += 2 * Math.PI * fundamental((double)n / sampleRate) / sampleRate;
            if (phi > 2 * Math.PI * 1e4) phi -= 2 * Math.PI * 1e4; // keep precision; 1e4 is a whole number of cycles
            double sum = 0;
            for (var k = 0; k < amplitudes.Count; k++) sum += amplitudes[k] * Math.Cos((k + 1) * phi + phases[k]);
            signal[n] = (float)sum;
        }
        return signal;
    }
}
