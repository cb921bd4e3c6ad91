namespace AncOrleans.Abstractions;

/// <summary>How PCM samples are encoded on the wire (little-endian).</summary>
[GenerateSerializer]
public enum SampleFormat
{
    Int16 = 0,
    Float32 = 1,
}
