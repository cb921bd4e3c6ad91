using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AncOrleans.Abstractions;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// Checks and converts PCM frames. Every rejection names its reason; nothing is written to the output
/// buffers unless the whole frame is valid, so a bad frame never reaches the filter.
/// </summary>
public static class FrameCodec
{
    public static int BytesPerSample(SampleFormat format) => format == SampleFormat.Int16 ? 2 : 4;

    /// <summary>Validates and de-interleaves a two-channel frame. Returns null when valid, else the reason.</summary>
    public static string? TryDecode(AudioFrame frame, int sessionRate, int maxSamples, float maxAbs, Span<float> first, Span<float> second)
    {
        if (frame.Pcm is null || frame.Pcm.Length == 0 || frame.SampleCount == 0) return "empty frame: no samples";
        if (frame.SampleRate != sessionRate) return $"wrong rate: frame is {frame.SampleRate} Hz, the session runs at {sessionRate} Hz";
        if (frame.SampleCount < 0) return $"sampleCount {frame.SampleCount} is negative";
        if (frame.SampleCount > maxSamples) return $"oversized frame: {frame.SampleCount} samples, at most {maxSamples}";
        if (frame.Format is not (SampleFormat.Int16 or SampleFormat.Float32)) return $"unknown sample format {(int)frame.Format}";
        var expected = frame.SampleCount * 2 * BytesPerSample(frame.Format);
        if (frame.Pcm.Length != expected)
            return $"length mismatch: {frame.SampleCount} two-channel {frame.Format} samples need {expected} bytes, got {frame.Pcm.Length}";
        if (frame.Format == SampleFormat.Int16)
        {
            var samples = MemoryMarshal.Cast<byte, short>(frame.Pcm.AsSpan());
            for (var i = 0; i < frame.SampleCount; i++)
            {
                first[i] = ReadInt16(samples, 2 * i) / 32768f;
                second[i] = ReadInt16(samples, 2 * i + 1) / 32768f;
            }
            return null;
        }
        var floats = frame.Pcm.AsSpan();
        for (var i = 0; i < 2 * frame.SampleCount; i++)
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(floats[(4 * i)..]);
            if (!float.IsFinite(value)) return $"non-finite sample ({value}) at index {i / 2}, channel {i % 2}";
            if (Math.Abs(value) > maxAbs) return $"sample {value} at index {i / 2} is out of range (|x| ≤ {maxAbs})";
        }
        for (var i = 0; i < frame.SampleCount; i++)
        {
            first[i] = BinaryPrimitives.ReadSingleLittleEndian(floats[(8 * i)..]);
            second[i] = BinaryPrimitives.ReadSingleLittleEndian(floats[(8 * i + 4)..]);
        }
        return null;
    }

    private static short ReadInt16(ReadOnlySpan<short> samples, int index) =>
        BitConverter.IsLittleEndian ? samples[index] : BinaryPrimitives.ReverseEndianness(samples[index]);

    /// <summary>Encodes mono samples, clipped to [−1, 1].</summary>
    public static byte[] Encode(ReadOnlySpan<float> samples, SampleFormat format)
    {
        var bytes = new byte[samples.Length * BytesPerSample(format)];
        for (var i = 0; i < samples.Length; i++)
        {
            var value = Math.Clamp(samples[i], -1f, 1f);
            if (format == SampleFormat.Int16) BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), (short)Math.Round(value * 32767f));
            else BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), value);
        }
        return bytes;
    }

    /// <summary>Interleaves two channels into a frame's PCM (used by clients, tests and the simulator).</summary>
    public static byte[] EncodeStereo(ReadOnlySpan<float> first, ReadOnlySpan<float> second, SampleFormat format)
    {
        var size = BytesPerSample(format);
        var bytes = new byte[first.Length * 2 * size];
        for (var i = 0; i < first.Length; i++)
        {
            if (format == SampleFormat.Int16)
            {
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(4 * i), (short)Math.Round(Math.Clamp(first[i], -1f, 1f) * 32767f));
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(4 * i + 2), (short)Math.Round(Math.Clamp(second[i], -1f, 1f) * 32767f));
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 * i), first[i]);
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 * i + 4), second[i]);
            }
        }
        return bytes;
    }

    /// <summary>Decodes a mono reply.</summary>
    public static float[] DecodeMono(byte[] pcm, SampleFormat format)
    {
        var size = BytesPerSample(format);
        var samples = new float[pcm.Length / size];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = format == SampleFormat.Int16
                ? BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(2 * i)) / 32768f
                : BinaryPrimitives.ReadSingleLittleEndian(pcm.AsSpan(4 * i));
        return samples;
    }

    public static byte[] ToPcm16(ReadOnlySpan<float> samples) => Encode(samples, SampleFormat.Int16);
}
