namespace AncOrleans.Dsp.Emergency;

/// <summary>One analysis frame: the strongest spectral peak, how much of the band's power it holds, and the level.</summary>
public readonly record struct ToneFrame(double TimeSeconds, double PeakHz, double Prominence, double LowestPeakHz, double LevelDb)
{
    /// <summary>The peak's own level (its ±2 bins), dBFS: unlike <see cref="LevelDb"/> it follows a decaying note under noise.</summary>
    public double PeakLevelDb => LevelDb + 10 * Math.Log10(Prominence + 1e-12);

    /// <summary>
    /// The frame counts for a tonal pattern: its strongest peak lies in [low, high] Hz, holds at least
    /// <paramref name="prominence"/> of the band's power, and the frame is within 15 dB of the loudest frame of the
    /// history (a decaying ring between beeps does not count) and above −75 dBFS.
    /// </summary>
    public bool IsTone(double low, double high, double prominence, double loudestDb) =>
        Prominence >= prominence && PeakHz >= low && PeakHz <= high && LevelDb >= loudestDb - 15 && LevelDb > -75;
}
