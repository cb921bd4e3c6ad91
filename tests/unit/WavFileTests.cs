using System.Buffers.Binary;
using AncOrleans.Dsp;

namespace AncOrleans.Tests;

/// <summary>
/// The WAV reader on every layout recordings come in: UrbanSound8K as prepared here is 16-bit mono 22.05 kHz
/// (all 2,985 clips of folds 1, 2, 3 and 10), the corpus as published mixes 8/16/24-bit, mono/stereo and
/// 8–96 kHz, and editors write WAVE_FORMAT_EXTENSIBLE and odd-sized chunks before the data.
/// </summary>
public sealed class WavFileTests
{
    private static byte[] Wav(int format, int channels, int rate, int bits, byte[] data, bool extensible = false, bool oddChunk = false)
    {
        var fmtSize = extensible ? 40 : 16;
        var extra = oddChunk ? 8 + 3 + 1 : 0;
        var bytes = new byte[12 + 8 + fmtSize + extra + 8 + data.Length];
        var s = bytes.AsSpan();
        "RIFF"u8.CopyTo(s);
        BinaryPrimitives.WriteInt32LittleEndian(s[4..], bytes.Length - 8);
        "WAVEfmt "u8.CopyTo(s[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[16..], fmtSize);
        BinaryPrimitives.WriteInt16LittleEndian(s[20..], (short)(extensible ? 0xFFFE : format));
        BinaryPrimitives.WriteInt16LittleEndian(s[22..], (short)channels);
        BinaryPrimitives.WriteInt32LittleEndian(s[24..], rate);
        BinaryPrimitives.WriteInt32LittleEndian(s[28..], rate * channels * bits / 8);
        BinaryPrimitives.WriteInt16LittleEndian(s[32..], (short)(channels * bits / 8));
        BinaryPrimitives.WriteInt16LittleEndian(s[34..], (short)bits);
        var p = 36;
        if (extensible)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[36..], 22);
            BinaryPrimitives.WriteInt16LittleEndian(s[38..], (short)bits);
            BinaryPrimitives.WriteInt16LittleEndian(s[44..], (short)format); // the sub-format GUID's first two bytes
            p = 20 + fmtSize;
        }
        if (oddChunk)
        {
            "LIST"u8.CopyTo(s[p..]);
            BinaryPrimitives.WriteInt32LittleEndian(s[(p + 4)..], 3);
            p += 8 + 3 + 1; // padded to even
        }
        "data"u8.CopyTo(s[p..]);
        BinaryPrimitives.WriteInt32LittleEndian(s[(p + 4)..], data.Length);
        data.CopyTo(s[(p + 8)..]);
        return bytes;
    }

    [Fact]
    public void Eight_bit_unsigned_mono()
    {
        var wav = WavFile.Parse(Wav(1, 1, 8000, 8, [128, 255, 0, 192]));
        Assert.Equal(8000, wav.SampleRate);
        Assert.Equal([0f, 127 / 128f, -1f, 0.5f], wav.Channels[0]);
    }

    [Fact]
    public void Sixteen_bit_stereo_at_22050_with_an_odd_chunk_before_the_data()
    {
        var data = new byte[8];
        BinaryPrimitives.WriteInt16LittleEndian(data, 16384);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2), -32768);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(4), -16384);
        BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(6), 32767);
        var wav = WavFile.Parse(Wav(1, 2, 22050, 16, data, oddChunk: true));
        Assert.Equal(22050, wav.SampleRate);
        Assert.Equal([0.5f, -0.5f], wav.Channels[0]);
        Assert.Equal([-1f, 32767 / 32768f], wav.Channels[1]);
        Assert.Equal([-0.25f, (32767 / 32768f - 0.5f) / 2], wav.Mono());
    }

    [Fact]
    public void Twenty_four_bit_extensible_and_float()
    {
        byte[] data24 = [0x00, 0x00, 0x40, 0x00, 0x00, 0xC0, 0xFF, 0xFF, 0xFF]; // +0.5, −0.5, −1 LSB
        var wav = WavFile.Parse(Wav(1, 1, 96000, 24, data24, extensible: true));
        Assert.Equal(96000, wav.SampleRate);
        Assert.Equal(0.5f, wav.Channels[0][0]);
        Assert.Equal(-0.5f, wav.Channels[0][1]);
        Assert.Equal(-1f / 8388608f, wav.Channels[0][2]);
        var data32 = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(data32, 0.25f);
        BinaryPrimitives.WriteSingleLittleEndian(data32.AsSpan(4), -0.75f);
        Assert.Equal([0.25f, -0.75f], WavFile.Parse(Wav(3, 1, 44100, 32, data32)).Channels[0]);
        Assert.Throws<InvalidDataException>(() => WavFile.Parse(Wav(2, 1, 8000, 4, [0, 0]))); // ADPCM: refused, clearly
    }
}
