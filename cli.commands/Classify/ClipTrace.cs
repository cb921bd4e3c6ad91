using AncOrleans.Acoustics.Training;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// One clip as a session would hear it: every classifier window's features (clips shorter than a window are
/// repeated to fill one), per window the pattern the emergency detector had active in it (or null), and each window's own log-mel frames (the CNN's patch of window w is windows w − 1 and w: <see cref="NoiseFeatures.BuildPatch"/>).
/// Window w covers [w·T, (w+1)·T), T = 61 × 256 / 16 000 s ≈ 0.976 s.
/// </summary>
/// With a pretrained tagger, also its scores for every patch (<see cref="YamNetStream"/>: 0.96 s every 0.48 s of the clip at 16 kHz).
public sealed record ClipTrace(IReadOnlyList<float[]> Windows, string?[] Patterns, IReadOnlyList<float[]> LogMel, IReadOnlyList<float[]>? Tagged = null,
    IReadOnlyList<float[]>? Embeddings = null)
{
    public static readonly double WindowSeconds = (double)NoiseFeatures.FramesPerWindow * NoiseFeatures.Hop / NoiseFeatures.Rate;

    /// <summary>Stream time of the end of the tagger's patch <paramref name="p"/> (0.975 s, then every 0.48 s).</summary>
    public static double PatchEndSeconds(int p) => (double)(YamNet.PatchSamples + p * YamNetStream.PatchHop * YamNet.Hop) / YamNet.SampleRate;

    public static ClipTrace Analyse(float[] mono, int rate, YamNet? tagger = null)
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
        var (tagged, embeddings) = tagger is null ? (null, null) : Tag(clip, rate, tagger);
        return new ClipTrace(windows, patterns, extracted.Select(w => w.LogMel).ToList(), tagged, embeddings);
    }

    private static (List<float[]>, List<float[]>) Tag(float[] clip, int rate, YamNet tagger)
    {
        var patches = new List<float[]>();
        var embeddings = new List<float[]>();
        YamNetStream.TagClip(tagger, clip, rate, (stream, scores, _) =>
        {
            patches.Add([.. scores]);
            embeddings.Add(stream.Embedding.ToArray());
        });
        return (patches, embeddings);
    }
}
