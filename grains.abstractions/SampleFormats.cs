namespace AncOrleans.Abstractions;

/// <summary>Facts about a <see cref="SampleFormat"/>, written once.</summary>
public static class SampleFormats
{
    public static int BytesPerSample(this SampleFormat format) => format == SampleFormat.Int16 ? 2 : 4;

    public static bool IsKnown(this SampleFormat format) => format is SampleFormat.Int16 or SampleFormat.Float32;
}
