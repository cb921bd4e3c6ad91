using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// PCM to and from samples. <see cref="TryDecode"/> is where a session checks a frame against its settings;
/// it writes nothing to the output buffers unless the whole frame is valid, so a bad frame never reaches the
/// filter. Rejections are worded by <see cref="FrameFaults"/>.
/// </summary>
public static class FrameCodec
{
    /// <summary>
    /// Validates and de-interleaves a two-channel frame against the session's rate (a frame rate of 0 means the
    /// session's), the most samples it accepts and the largest float magnitude. Returns null when valid, else the reason.
    /// </summary>
    public static string? TryDecode(AudioFrame frame, int sessionRate, int maxSamples, float maxAbs, Span<float> first, Span<float> second)
    {
        if (frame.Pcm is null || frame.Pcm.Length == 0 || frame.SampleCount <= 0) return FrameFaults.Empty;
        if (frame.SampleRate != 0 && frame.SampleRate != sessionRate) return FrameFaults.WrongRate(frame.SampleRate, sessionRate);
        if (frame.SampleCount > maxSamples) return FrameFaults.Oversized(frame.SampleCount, maxSamples);
        if (!frame.Format.IsKnown()) return FrameFaults.UnknownFormat(((int)frame.Format).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var expected = (long)frame.SampleCount * 2 * frame.Format.BytesPerSample();
        if (frame.Pcm.Length != expected) return FrameFaults.SampleCountMismatch(frame.SampleCount, 2, frame.Format, expected, frame.Pcm.Length);
        if (frame.Format == SampleFormat.Int16)
        {
            Pcm16.DecodeStereo(frame.Pcm, frame.SampleCount, first, second);
            return null;
        }
        var floats = frame.Pcm.AsSpan();
        for (var i = 0; i < 2 * frame.SampleCount; i++)
        {
            var value = BinaryPrimitives.ReadSingleLittleEndian(floats[(4 * i)..]);
            if (!float.IsFinite(value)) return FrameFaults.NonFinite(value, i / 2, i % 2);
            if (Math.Abs(value) > maxAbs) return FrameFaults.OutOfRange(value, i / 2, maxAbs);
        }
        for (var i = 0; i < frame.SampleCount; i++)
        {
            first[i] = BinaryPrimitives.ReadSingleLittleEndian(floats[(8 * i)..]);
            second[i] = BinaryPrimitives.ReadSingleLittleEndian(floats[(8 * i + 4)..]);
        }
        return null;
    }

    /// <summary>Encodes mono samples, clipped to [−1, 1], into <paramref name="destination"/>.</summary>
    public static void EncodeMono(ReadOnlySpan<float> samples, SampleFormat format, Span<byte> destination)
    {
        if (format == SampleFormat.Int16)
        {
            Pcm16.Encode(samples, destination);
            return;
        }
        for (var i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], Math.Clamp(samples[i], -1f, 1f));
    }

    /// <summary>Encodes mono samples, clipped to [−1, 1].</summary>
    public static byte[] Encode(ReadOnlySpan<float> samples, SampleFormat format)
    {
        var bytes = new byte[samples.Length * format.BytesPerSample()];
        EncodeMono(samples, format, bytes);
        return bytes;
    }

    /// <summary>Interleaves two channels into a frame's PCM (used by clients, tests and the simulator).</summary>
    public static byte[] EncodeStereo(ReadOnlySpan<float> first, ReadOnlySpan<float> second, SampleFormat format)
    {
        var size = format.BytesPerSample();
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

    /// <summary>Decodes mono PCM (a reply's, or the feature stream's).</summary>
    public static float[] DecodeMono(ReadOnlySpan<byte> pcm, SampleFormat format)
    {
        var size = format.BytesPerSample();
        var samples = new float[pcm.Length / size];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = format == SampleFormat.Int16
                ? BinaryPrimitives.ReadInt16LittleEndian(pcm[(2 * i)..]) / 32768f
                : BinaryPrimitives.ReadSingleLittleEndian(pcm[(4 * i)..]);
        return samples;
    }

    /// <summary>Decodes int16 little-endian mono PCM into <paramref name="destination"/> (length ≥ half the bytes), without allocating.</summary>
    public static void DecodePcm16(ReadOnlySpan<byte> pcm16, Span<float> destination) => Pcm16.Decode(pcm16, destination);

    public static byte[] ToPcm16(ReadOnlySpan<float> samples) => Encode(samples, SampleFormat.Int16);
}
