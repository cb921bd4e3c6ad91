using AncOrleans.Acoustics.Training;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// One clip as a session would hear it: every classifier window's features (clips shorter than a window are
/// repeated to fill one), per window the pattern the emergency detector had active in it (or null), and each window's own log-mel frames (the CNN's patch of window w is windows w − 1 and w: <see cref="NoiseFeatures.BuildPatch"/>).
/// Window w covers [w·T, (w+1)·T), T = 61 × 256 / 16 000 s ≈ 0.976 s.
/// </summary>
public sealed record ClipTrace(IReadOnlyList<float[]> Windows, string?[] Patterns, IReadOnlyList<float[]> LogMel)
{
    public static readonly double WindowSeconds = (double)NoiseFeatures.FramesPerWindow * NoiseFeatures.Hop / NoiseFeatures.Rate;

    public static ClipTrace Analyse(float[] mono, int rate)
    {
        var clip = NoiseTrainingSet.AtLeastOneWindow(mono, rate);
        var extracted = NoiseFeatures.ExtractWithLogMel(clip, rate);
        var windows = extracted.Select(w => w.Features).ToList();
        var patterns = new string?[windows.Count];
        var detector = new EmergencyDetector(rate);
        string? seen = null;
        detector.Detected += (kind, _) => seen ??= kind;
        var step = Math.Max(1, rate / 100);
        for (var start = 0; start < clip.Length; start += step)
        {
            seen = null;
            detector.Push(clip.AsSpan(start, Math.Min(step, clip.Length - start)));
            var kind = seen ?? detector.Active;
            if (kind is null || windows.Count == 0) continue;
            var w = Math.Min(windows.Count - 1, (int)((double)start / rate / WindowSeconds));
            patterns[w] ??= kind;
        }
        return new ClipTrace(windows, patterns, extracted.Select(w => w.LogMel).ToList());
    }
}
