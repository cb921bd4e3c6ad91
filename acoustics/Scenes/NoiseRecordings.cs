using AncOrleans.Dsp;

namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// The real noise recordings committed in <c>acoustics/Recordings/</c> (48 kHz mono 16-bit, ≤ 10 s each; sources and
/// licences in <c>&lt;file&gt;.license.txt</c> and the folder's README.md). The build copies them to
/// <c>Recordings/</c> beside the assembly; <see cref="Scene"/> runs one through the bench's paths like
/// <c>anc eval --noise</c> does.
/// </summary>
public static class NoiseRecordings
{
    /// <summary>The recordings, by scene name (the file name without .wav).</summary>
    public static readonly IReadOnlyList<string> Names = ["boat", "cafe-crowd", "city-traffic", "distant-traffic", "train-interior"];

    /// <summary>Every committed recording is at this rate.</summary>
    public const int SampleRate = 48_000;

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Recordings");

    public static string PathOf(string name) =>
        Names.Contains(name) ? Path.Combine(Folder, name + ".wav") : throw new ArgumentException($"Unknown recording '{name}'. Known: {string.Join(", ", Names)}.");

    /// <summary>True when the build copied the recordings (a trimmed deployment may leave them out).</summary>
    public static bool Available => Names.All(n => File.Exists(Path.Combine(Folder, n + ".wav")));

    /// <summary>A bench scene from a recording: at most <paramref name="seconds"/> of it, at its own rate (48 kHz).</summary>
    public static AcousticScene Scene(string name, double seconds, double leadMs = Scenarios.DefaultLeadMs, int seed = 1)
    {
        var wav = WavFile.Read(PathOf(name));
        var samples = wav.Mono();
        var take = (int)Math.Min(samples.Length, Math.Round(seconds * wav.SampleRate));
        return Scenarios.FromNoise(name, wav.SampleRate, samples[..take], leadMs, seed);
    }
}
