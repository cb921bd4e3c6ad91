using System.Buffers.Binary;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Tests;

/// <summary>The frame path's 16-bit PCM conversions: the vector steps give the scalar definition's numbers bit for bit.</summary>
public sealed class Pcm16Tests
{
    private static float[] Samples(int count, int seed)
    {
        var random = new Random(seed);
        float[] special = [0f, -0f, 1f, -1f, 1.5f, -2f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0.5f / 32767f, 1.5f / 32767f, -2.5f / 32767f, 32766.5f / 32767f, float.Epsilon];
        return Enumerable.Range(0, count).Select(i => i < special.Length ? special[i] : (float)(random.NextDouble() * 2.4 - 1.2)).ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(480)]
    [InlineData(4_801)]
    public void Encoding_matches_the_scalar_definition(int count)
    {
        var samples = Samples(count, count);
        var bytes = new byte[2 * count];
        Pcm16.Encode(samples, bytes);
        for (var i = 0; i < count; i++)
        {
            var expected = float.IsNaN(samples[i]) ? (short)0 : (short)MathF.Round(Math.Clamp(samples[i], -1f, 1f) * 32767f);
            Assert.Equal(expected, BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(2 * i)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(480)]
    [InlineData(4_801)]
    public void Decoding_matches_the_scalar_definition_mono_and_stereo(int count)
    {
        var random = new Random(count);
        var pcm = new byte[4 * count];
        random.NextBytes(pcm);
        BinaryPrimitives.WriteInt16LittleEndian(pcm, short.MinValue);
        if (count > 1) BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(2), short.MaxValue);
        var mono = new float[2 * count];
        Pcm16.Decode(pcm, mono);
        var first = new float[count];
        var second = new float[count];
        Pcm16.DecodeStereo(pcm, count, first, second);
        for (var i = 0; i < 2 * count; i++)
        {
            var expected = BinaryPrimitives.ReadInt16LittleEndian(pcm.AsSpan(2 * i)) / 32768f;
            Assert.Equal(expected, mono[i]);
            Assert.Equal(expected, i % 2 == 0 ? first[i / 2] : second[i / 2]);
        }
    }

    [Fact]
    public void Short_buffers_are_refused()
    {
        Assert.Throws<ArgumentException>(() => Pcm16.Encode(new float[4], new byte[7]));
        Assert.Throws<ArgumentException>(() => Pcm16.Decode(new byte[8], new float[3]));
        Assert.Throws<ArgumentException>(() => Pcm16.DecodeStereo(new byte[8], 3, new float[3], new float[3]));
    }
}
