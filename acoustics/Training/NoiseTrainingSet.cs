using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Classification;

namespace AncOrleans.Acoustics.Training;

/// <summary>
/// Labelled feature vectors for training and testing the classifier: from the deterministic generator
/// (<see cref="NoiseLibrary"/>: every category, parameters drawn per clip, half the clips mixed with a
/// background 10–30 dB below) or from a folder of real recordings (<c>&lt;label&gt;/*.wav</c>).
/// Windows where the sound itself is nearly silent (the pauses of a T3/T4 alarm, between barks) are left out:
/// their label would be a lie.
/// </summary>
public static class NoiseTrainingSet
{
    public static List<LabelledFeatures> Generate(IEnumerable<string> labels, int clipsPerLabel, int seedBase, double clipSeconds = 3)
    {
        var rows = new List<LabelledFeatures>();
        var labelList = labels.ToList();
        foreach (var (label, index) in labelList.Select((l, i) => (l, i)))
            for (var clip = 0; clip < clipsPerLabel; clip++)
            {
                var (sound, mix) = SyntheticClip(label, clip, NoiseFeatures.Rate, clipSeconds, new NoiseGenerator(seedBase + 1000 * index + clip));
                rows.AddRange(Windows(label, sound, mix, NoiseFeatures.Rate));
            }
        return rows;
    }

    /// <summary>
    /// Synthetic clip number <paramref name="clip"/> of <paramref name="label"/>: the sound alone, and the mix a
    /// microphone hears — every third clip (clip mod 3 = 2) in a room with RT60 0.2–0.8 s (recordings are rarely
    /// anechoic), every second one (odd clips) over one of <see cref="NoiseLibrary.Backgrounds"/> in turn, 10–30 dB below
    /// it. The in-house model's training set and the tagger head's synthetic clips are both made here.
    /// </summary>
    public static (float[] Sound, float[] Mix) SyntheticClip(string label, int clip, int rate, double seconds, NoiseGenerator random)
    {
        var sound = NoiseLibrary.Render(label, rate, seconds, random);
        if (clip % 3 == 2) sound = SoundSynth.Room(sound, rate, 0.2 + 0.6 * random.NextUniform(), 0.2 + 0.4 * random.NextUniform(), random);
        if (clip % 2 == 1 && NoiseLibrary.Backgrounds[(clip / 2) % NoiseLibrary.Backgrounds.Length] is var background && background != label)
            return (sound, SoundSynth.Add(sound, NoiseLibrary.Render(background, rate, seconds, random), 10 + 20 * random.NextUniform()));
        return (sound, sound);
    }

    /// <summary>
    /// The <c>&lt;label&gt;/*.wav</c> files under <paramref name="folder"/> (mono or stereo, any common rate):
    /// all of them, or a split by file (every fifth file of a label held out), so no recording is in both halves.
    /// </summary>
    public static List<LabelledFeatures> FromFolder(string folder, FolderSplit split = FolderSplit.All)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"no folder '{folder}'.");
        var rows = new List<LabelledFeatures>();
        foreach (var directory in Directory.GetDirectories(folder).Order())
        {
            var label = Path.GetFileName(directory);
            var files = Directory.GetFiles(directory, "*.wav").Order().ToArray();
            for (var index = 0; index < files.Length; index++)
            {
                var heldOut = files.Length >= 2 && index % 5 == 4 || files.Length is >= 2 and < 5 && index == files.Length - 1;
                if (split == FolderSplit.Train && heldOut || split == FolderSplit.Test && !heldOut) continue;
                var file = files[index];
                var wav = Dsp.WavFile.Read(file);
                var mono = wav.Mono();
                rows.AddRange(Windows(label, mono, mono, wav.SampleRate));
            }
        }
        return rows;
    }

    public enum FolderSplit { All, Train, Test }

    /// <summary>
    /// One row per kept window of each UrbanSound8K clip (its label mapped by <see cref="UrbanSound8K.ToCategory"/>),
    /// then <paramref name="augmentedCopies"/> augmented copies of it (<see cref="ClipAugmentation"/>).
    /// <c>Clip</c> is the index of the clip in <paramref name="clips"/>, so that cross-validation can group by it.
    /// </summary>
    public static List<(LabelledFeatures Row, int Clip, bool Augmented)> FromUrbanSound8K(IReadOnlyList<UrbanSound8K.Clip> clips, int augmentedCopies, int seed)
    {
        var rows = new List<(LabelledFeatures, int, bool)>();
        var gate = new Lock();
        Parallel.For(0, clips.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, index =>
        {
            var clip = clips[index];
            var label = UrbanSound8K.ToCategory[clip.Class];
            var wav = Dsp.WavFile.Read(clip.Path);
            var mono = AtLeastOneWindow(wav.Mono(), wav.SampleRate);
            var local = new List<(LabelledFeatures, int, bool)>();
            foreach (var row in Windows(label, mono, mono, wav.SampleRate)) local.Add((row, index, false));
            var random = new NoiseGenerator(seed + 7919 * index);
            for (var copy = 0; copy < augmentedCopies; copy++)
            {
                var (mix, clean) = ClipAugmentation.Apply(mono, wav.SampleRate, random);
                foreach (var row in Windows(label, AtLeastOneWindow(clean, wav.SampleRate), AtLeastOneWindow(mix, wav.SampleRate), wav.SampleRate)) local.Add((row, index, true));
            }
            lock (gate) rows.AddRange(local);
        });
        rows.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        return rows;
    }

    /// <summary>A clip shorter than one feature window (UrbanSound8K has slices of 0.1 s) repeated until it fills one (+ 5 %).</summary>
    public static float[] AtLeastOneWindow(float[] clip, int rate)
    {
        var need = (int)Math.Ceiling(1.05 * NoiseFeatures.FramesPerWindow * NoiseFeatures.Hop / (double)NoiseFeatures.Rate * rate) + NoiseFeatures.FrameSize * rate / NoiseFeatures.Rate;
        if (clip.Length >= need || clip.Length == 0) return clip;
        var tiled = new float[need];
        for (var i = 0; i < need; i++) tiled[i] = clip[i % clip.Length];
        return tiled;
    }

    private static IEnumerable<LabelledFeatures> Windows(string label, float[] sound, float[] mix, int rate)
    {
        var windows = NoiseFeatures.Extract(mix, rate);
        var window = (double)NoiseFeatures.FramesPerWindow * NoiseFeatures.Hop / NoiseFeatures.Rate * rate;
        var clipRms = Acoustics.Scenes.Scenarios.Rms(sound);
        for (var w = 0; w < windows.Count; w++)
        {
            var start = (int)(w * window);
            var length = Math.Min((int)window, sound.Length - start);
            if (length <= 0) break;
            if (Acoustics.Scenes.Scenarios.Rms(sound.AsSpan(start, length)) < 0.3 * clipRms) continue;
            yield return new LabelledFeatures(label, windows[w]);
        }
    }
}
