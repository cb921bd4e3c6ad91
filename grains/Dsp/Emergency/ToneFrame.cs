namespace AncOrleans.Dsp.Emergency;

/// <summary>One analysis frame: the strongest spectral peak, how much of the band's power it holds, and the level.</summary>
public readonly record struct ToneFrame(double TimeSeconds, double PeakHz, double Prominence, double LowestPeakHz, double LevelDb);
