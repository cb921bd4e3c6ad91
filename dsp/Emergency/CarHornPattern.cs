namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Car horn on the <see cref="SteadyLineTracker"/>'s stationary lines. An electric horn is one or two vibrating
/// diaphragms (typically 350–550 Hz, often a third apart) driven into a rich harmonic series, at constant pitch and
/// level for as long as it is pressed. The pattern: a fundamental f0 in 300–700 Hz that
/// <list type="number">
/// <item>has held its frequency (±1 bin) and level (<see cref="SteadyLineTracker"/>) for ≥ 0.85 s — longer than one half of a hi-lo
/// siren (≤ 0.7 s), whose low tone can sit in the same band;</item>
/// <item>has a steady partial at 2 f0 or 3 f0 (±2 %) held ≥ 0.6 s — a harmonic series, not a lone whistle;</item>
/// <item>is not itself a harmonic of a lower steady source (mains hum, an idling engine): no steady line at f0/2 or
/// f0/3, and no steady pair at f0 ± d for a spacing d of 40–250 Hz;</item>
/// <item>is within 40 dB of the frame's strongest salient line: a horn is what one hears, while lines 60–90 dB under a
/// clean hum (the harmonics that 16-bit quantisation adds to a periodic signal) are not a sound at all.</item>
/// </list>
/// </summary>
public sealed class CarHornPattern(SteadyLineTracker lines)
{
    private const double LowHz = 300, HighHz = 700, HoldSeconds = 0.85, SupportSeconds = 0.6, MaxBelowStrongestDb = 40;

    public bool Matches()
    {
        for (var k = lines.Bin(LowHz); k <= lines.Bin(HighHz); k++)
        {
            if (!lines.IsPeak(k) || lines.SteadySeconds(k) < HoldSeconds || lines.LevelDb(k) < lines.StrongestPeakDb - MaxBelowStrongestDb) continue;
            var f0 = k * lines.BinHz;
            if (!(Steady(2 * f0) || Steady(3 * f0))) continue;
            if (Steady(f0 / 2) || Steady(f0 / 3) || InComb(k)) continue;
            return true;
        }
        return false;
    }

    // A steady line within ±2 % (at least ±1 bin) of hz.
    private bool Steady(double hz)
    {
        var centre = lines.Bin(hz);
        var tolerance = Math.Max(1, lines.Bin(0.02 * hz));
        for (var k = Math.Max(lines.LowBin, centre - tolerance); k <= Math.Min(lines.HighBin, centre + tolerance); k++)
            if (lines.IsPeak(k) && lines.SteadySeconds(k) >= SupportSeconds) return true;
        return false;
    }

    // Steady lines at k − d and k + d (±1 bin) for a spacing of 40–250 Hz: k is one tooth of a lower comb.
    private bool InComb(int k)
    {
        for (var below = k - lines.Bin(250); below <= k - lines.Bin(40); below++)
        {
            if (below < lines.LowBin || !lines.IsPeak(below) || lines.SteadySeconds(below) < SupportSeconds) continue;
            var above = 2 * k - below;
            for (var j = Math.Max(lines.LowBin, above - 1); j <= Math.Min(lines.HighBin, above + 1); j++)
                if (lines.IsPeak(j) && lines.SteadySeconds(j) >= SupportSeconds) return true;
        }
        return false;
    }
}
