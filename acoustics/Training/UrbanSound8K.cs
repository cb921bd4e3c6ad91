using System.Text.RegularExpressions;

namespace AncOrleans.Acoustics.Training;

/// <summary>
/// UrbanSound8K (Salamon, Jacoby &amp; Bello, "A dataset and taxonomy for urban sound research", ACM MM 2014;
/// CC BY-NC 3.0): 10 classes of street recordings, clips ≤ 4 s named <c>&lt;fsID&gt;-&lt;classID&gt;-&lt;occurrence&gt;-&lt;slice&gt;.wav</c>
/// in folders <c>fold1</c> … <c>fold10</c>. Prepared outside the repository by <c>acoustics/Training/prepare-urbansound8k.sh</c>.
/// Here: its class names, how each maps onto our taxonomy (docs/classifier.md), and a scan of a prepared folder.
/// </summary>
public static partial class UrbanSound8K
{
    /// <summary>The classes by class ID (the second number of a file name).</summary>
    public static readonly string[] Classes =
        ["air_conditioner", "car_horn", "children_playing", "dog_bark", "drilling", "engine_idling", "gun_shot", "jackhammer", "siren", "street_music"];

    /// <summary>UrbanSound8K class → the category a clip of it is trained as (and the only one counted right for it).</summary>
    public static readonly IReadOnlyDictionary<string, string> ToCategory = new Dictionary<string, string>
    {
        ["air_conditioner"] = "hvac",
        ["car_horn"] = "car_horn",
        ["children_playing"] = "children_playing",
        ["dog_bark"] = "dog_bark",
        ["drilling"] = "drill",
        ["engine_idling"] = "engine",
        ["gun_shot"] = "gun_shot",
        ["jackhammer"] = "jackhammer",
        ["siren"] = "siren",
        ["street_music"] = "music",
    };

    /// <summary>The fold never used for training, tuning or choosing features.</summary>
    public const int HeldOutFold = 10;

    /// <summary>Our category → the UrbanSound8K class it stands for, or null (a category with no counterpart is a miss).</summary>
    public static string? ClassOf(string category) => ToCategory.FirstOrDefault(p => p.Value == category).Key;

    /// <summary>Emergencies by the issue's definition: siren and car_horn.</summary>
    public static bool IsEmergency(string usClass) => usClass is "siren" or "car_horn";

    /// <summary>Neither emergency nor non-emergency: gun_shot.</summary>
    public static bool IsNeither(string usClass) => usClass is "gun_shot";

    [GeneratedRegex(@"^\d+-(\d)-\d+-\d+\.wav$", RegexOptions.IgnoreCase)]
    private static partial Regex NamePattern();

    /// <summary>The class of a clip from its file name, or null when the name is not UrbanSound8K's.</summary>
    public static string? ClassOfFile(string fileName)
    {
        var match = NamePattern().Match(Path.GetFileName(fileName));
        return match.Success ? Classes[match.Groups[1].Value[0] - '0'] : null;
    }

    public sealed record Clip(string Path, int Fold, string Class);

    /// <summary>The clips of the given folds under a prepared folder (<c>root/foldN/*.wav</c>), in a stable order.</summary>
    public static List<Clip> Scan(string root, IEnumerable<int> folds)
    {
        var clips = new List<Clip>();
        foreach (var fold in folds.Order())
        {
            var directory = System.IO.Path.Combine(root, $"fold{fold}");
            if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"no folder '{directory}' (prepare it with acoustics/Training/prepare-urbansound8k.sh).");
            foreach (var file in Directory.GetFiles(directory, "*.wav").Order(StringComparer.Ordinal))
                if (ClassOfFile(file) is { } usClass) clips.Add(new Clip(file, fold, usClass));
        }
        return clips;
    }
}
