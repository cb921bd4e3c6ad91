namespace AncOrleans.Dsp;

/// <summary>
/// How much quieter the ear is with the canceller than without, measured as it runs:
/// <code>
///   N = Σ d̂²,  R = Σ e²                                  since start (double)
///   P_d ← P_d + α (d̂² − P_d),  P_e ← P_e + α (e² − P_e)    α = 1/fs: about the last second
///   reduction = 10 log10(noise / residual) dB             0 when either is 0
/// </code>
/// with d̂ the noise without ANC as estimated and e what the ear heard (clean mode: d and what was returned).
/// </summary>
internal sealed class NoiseReductionMeter(int sampleRate)
{
    private readonly float _rate = 1f / sampleRate; // α of the 1 s averages
    private float _noisePower, _residualPower;        // 1 s averages of d̂² and e²

    /// <summary>Σ d̂² since start.</summary>
    public double NoiseEnergy { get; private set; }

    /// <summary>Σ e² since start.</summary>
    public double ResidualEnergy { get; private set; }

    /// <summary>d̂² over about the last second.</summary>
    public float NoisePower => _noisePower;

    /// <summary>e² over about the last second.</summary>
    public float ResidualPower => _residualPower;

    public double ShortTermReductionDb => Decibels(_noisePower, _residualPower);

    public double ReductionSinceStartDb => Decibels(NoiseEnergy, ResidualEnergy);

    public static double Decibels(double noise, double residual) =>
        noise <= 0 || residual <= 0 ? 0 : 10 * Math.Log10(noise / residual);

    public void Add(float noise, float residual)
    {
        NoiseEnergy += noise * noise;
        ResidualEnergy += residual * residual;
        _noisePower += _rate * (noise * noise - _noisePower);
        _residualPower += _rate * (residual * residual - _residualPower);
    }

    public void Reset()
    {
        NoiseEnergy = ResidualEnergy = 0;
        _noisePower = _residualPower = 0;
    }
}
