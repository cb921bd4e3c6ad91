namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// A device's id, which is also its session's grain key and its MQTT topic segment: 1–128 characters of
/// A–Z, a–z, 0–9, '.', '_' or '-', not only dots (so never "." or ".."). Checked the same way on WebSocket, MQTT
/// and REST; nothing else (a trailing newline, a '/', a '+' or '#') gets through.
/// </summary>
public readonly record struct DeviceId
{
    public const int MaxLength = 128;

    private DeviceId(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse(string? text, out DeviceId id, out string? error)
    {
        id = default;
        error = Check(text);
        if (error is not null) return false;
        id = new DeviceId(text!);
        return true;
    }

    /// <summary>The id, or <see cref="ArgumentException"/> with the reason.</summary>
    public static DeviceId Parse(string? text) =>
        TryParse(text, out var id, out var error) ? id : throw new ArgumentException(error, nameof(text));

    public override string ToString() => Value;

    private static string? Check(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || !IsAllowed(text) || text.AsSpan().IndexOfAnyExcept('.') < 0)
            return $"id '{Printable(text)}' must be 1–{MaxLength} characters of A–Z, a–z, 0–9, '.', '_' or '-', and not only dots.";
        return null;
    }

    private static bool IsAllowed(string text)
    {
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')) return false;
        return true;
    }

    /// <summary>The id as it can be shown in an error: control characters escaped, long ids cut.</summary>
    private static string Printable(string? text)
    {
        if (text is null) return "";
        var shown = text.Length > MaxLength + 8 ? text[..(MaxLength + 8)] + "…" : text;
        return string.Concat(shown.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
