using System.Buffers.Binary;
using System.Text;

namespace AncOrleans.Dsp;

/// <summary>
/// Minimal RIFF/WAVE reader and writer: PCM 8/16/24/32-bit and IEEE float 32/64, any channel count
/// (WAVE_FORMAT_EXTENSIBLE included). Reading returns one float array per channel, scaled to [−1, 1].
/// Writing produces 16-bit PCM, which every player and sox read.
/// </summary>
public sealed record WavFile(int SampleRate, float[][] Channels)
{
    public int Length => Channels.Length == 0 ? 0 : Channels[0].Length;

    public float[] Mono()
    {
        if (Channels.Length == 1) return Channels[0];
        var mono = new float[Length];
        foreach (var channel in Channels)
            for (var i = 0; i < mono.Length; i++) mono[i] += channel[i] / Channels.Length;
        return mono;
    }

    public static WavFile Read(string path) => Parse(File.ReadAllBytes(path), path);

    public static WavFile Parse(ReadOnlySpan<byte> bytes, string name = "input")
    {
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
            throw new InvalidDataException($"{name}: not a RIFF/WAVE file.");
        int format = 0, channels = 0, rate = 0, bits = 0;
        var position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = Encoding.ASCII.GetString(bytes.Slice(position, 4));
            var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(position + 4, 4)), (uint)(bytes.Length - position - 8));
            var body = bytes.Slice(position + 8, size);
            if (id == "fmt ")
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (format == 0xFFFE && size >= 26) format = BinaryPrimitives.ReadUInt16LittleEndian(body[24..]);
            }
            else if (id == "data")
            {
                if (channels == 0) throw new InvalidDataException($"{name}: data chunk before fmt chunk.");
                return new WavFile(rate, Decode(body, format, channels, bits, name));
            }
            position += 8 + size + (size & 1);
        }
        throw new InvalidDataException($"{name}: no data chunk.");
    }

    private static float[][] Decode(ReadOnlySpan<byte> data, int format, int channels, int bits, string name)
    {
        var bytesPerSample = bits / 8;
        if (bytesPerSample == 0 || (format != 1 && format != 3)) throw new InvalidDataException($"{name}: unsupported WAV format {format} with {bits} bits.");
        var frames = data.Length / (bytesPerSample * channels);
        var result = new float[channels][];
        for (var c = 0; c < channels; c++) result[c] = new float[frames];
        for (var f = 0; f < frames; f++)
            for (var c = 0; c < channels; c++)
            {
                var s = data.Slice((f * channels + c) * bytesPerSample, bytesPerSample);
                result[c][f] = (format, bits) switch
                {
                    (1, 8) => (s[0] - 128) / 128f,
                    (1, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768f,
                    (1, 24) => ((s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8) / 8388608f,
                    (1, 32) => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648f,
                    (3, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    (3, 64) => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                    _ => throw new InvalidDataException($"{name}: unsupported WAV format {format} with {bits} bits."),
                };
            }
        return result;
    }

    /// <summary>Writes 16-bit PCM; samples outside [−1, 1] are clipped.</summary>
    public static void Write(string path, int sampleRate, params float[][] channels)
    {
        var frames = channels[0].Length;
        var dataBytes = frames * channels.Length * 2;
        var buffer = new byte[44 + dataBytes];
        var span = buffer.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], (short)channels.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * channels.Length * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], (short)(channels.Length * 2));
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], dataBytes);
        var offset = 44;
        for (var f = 0; f < frames; f++)
            foreach (var channel in channels)
            {
                var value = (short)Math.Round(Math.Clamp(channel[f], -1f, 1f) * 32767f);
                BinaryPrimitives.WriteInt16LittleEndian(span[offset..], value);
                offset += 2;
            }
        File.WriteAllBytes(path, buffer);
    }
}
