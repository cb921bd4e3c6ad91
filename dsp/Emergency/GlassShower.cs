namespace AncOrleans.Dsp.Emergency;

/// <summary>What <see cref="GlassBreakDetector"/> saw after a crash: its rise over the background (dB), the share of frames
/// whose high band stayed up, and the counts of distinct resonances and dominant frequencies.</summary>
public readonly record struct GlassShower(double CrashOverBackgroundDb, double ActiveFraction, int Resonances, int Dominant);
