using System.Globalization;
using System.Text.RegularExpressions;

namespace AncOrleans.Abstractions.Recordings;

/// <summary>The one naming rule of recordings (<see cref="RecordingInfo.Key"/>), made and checked here only.</summary>
public static partial class RecordingKeys
{
    public const string Noise = "noise", Residual = "residual";

    public static string Session(DateTime startedUtc) => startedUtc.ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Key(string deviceId, string session, int chunk, string track) =>
        $"{deviceId}/{session}/{chunk.ToString("D5", CultureInfo.InvariantCulture)}-{track}.wav";

    /// <summary>Parses a key; anything else (a path with <c>..</c>, another name) is refused, so a key never leaves the store's root.</summary>
    public static bool TryParse(string? key, out RecordingInfo info)
    {
        info = null!;
        if (key is null || KeyPattern().Match(key) is not { Success: true } match || match.Groups["device"].Value.All(c => c == '.')) return false;
        info = new RecordingInfo(key, match.Groups["device"].Value, match.Groups["session"].Value,
            int.Parse(match.Groups["chunk"].Value, CultureInfo.InvariantCulture), match.Groups["track"].Value, 0, default);
        return true;
    }

    [GeneratedRegex(@"^(?<device>[A-Za-z0-9._-]{1,128})/(?<session>[0-9]{8}T[0-9]{6}Z)/(?<chunk>[0-9]{5})-(?<track>noise|residual)\.wav$")]
    private static partial Regex KeyPattern();
}
