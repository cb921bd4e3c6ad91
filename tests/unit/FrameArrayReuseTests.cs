using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Grains.Sessions;

namespace AncOrleans.Tests;

/// <summary>The frame path's arrays that are given back for later frames: the gateway's PCM, the feature batches' and the replies'.</summary>
public sealed class FrameArrayReuseTests
{
    [Fact]
    public void A_connection_reuses_an_answered_frames_array_of_the_same_size_only()
    {
        var buffers = new FrameBuffers();
        var first = buffers.Take(19_200);
        buffers.Give(first);
        Assert.Same(first, buffers.Take(19_200));
        buffers.Give(first);
        var other = buffers.Take(1_920);                 // another size: a new array, the kept one stays
        Assert.Equal(1_920, other.Length);
        Assert.Equal(1, buffers.Count);
        for (var i = 0; i < 10; i++) buffers.Give(new byte[8]);
        Assert.Equal(FrameBuffers.Kept, buffers.Count);  // bounded
    }

    [Fact]
    public void A_parsed_frame_takes_its_array_from_the_connection_and_copies_the_pcm_into_it()
    {
        var pcm = new byte[4 * 480];
        for (var i = 0; i < pcm.Length; i++) pcm[i] = (byte)i;
        var message = new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, 9, 90_000, 480, 48_000, pcm).ToBytes();
        var buffers = new FrameBuffers();
        var kept = new byte[pcm.Length];
        Array.Fill(kept, (byte)0xEE);
        buffers.Give(kept);
        Assert.True(WireFrame.TryParseAudio(message, out var frame, out var error, out _, buffers.Take), error);
        Assert.Same(kept, frame!.Pcm);
        Assert.Equal(pcm, frame.Pcm);
    }

    [Fact]
    public void A_batch_returned_by_its_listener_carries_a_later_batch_and_no_other_sessions()
    {
        var batcher = new FeatureBatcher("s-1", batchMs: 10);
        var reference = new float[480];
        Array.Fill(reference, 0.25f);
        var first = batcher.Add(0, 48_000, reference, 0)!;
        batcher.Return(first);
        Array.Fill(reference, -0.5f);
        var second = batcher.Add(1, 48_000, reference, 0)!;
        Assert.Same(first.ReferencePcm16, second.ReferencePcm16);
        var decoded = new float[480];
        Pcm16.Decode(second.ReferencePcm16, decoded);
        Assert.All(decoded, v => Assert.Equal(-0.5f, v, 3));
        var third = batcher.Add(2, 48_000, reference, 0)!;   // the second not returned: a new array
        Assert.NotSame(second.ReferencePcm16, third.ReferencePcm16);
        batcher.Return(new FeatureBatch("s-2", 0, 0, 1, 48_000, 0, new byte[960]));
        Assert.NotSame(third.ReferencePcm16, batcher.Add(3, 48_000, reference, 0)!.ReferencePcm16);
    }

    [Fact]
    public void Reply_arrays_are_kept_by_exact_length_within_their_bounds()
    {
        var pool = new ReplyBuffers();
        var first = pool.Take(1_944);
        Assert.Equal(1_944, first.Length);
        pool.Give(first);
        Assert.Equal(1_944, pool.KeptBytes);
        Assert.Same(first, pool.Take(1_944));
        Assert.Equal(0, pool.KeptBytes);
        pool.Give(first);
        Assert.Equal(984, pool.Take(984).Length);        // another length: a new array, the kept one stays
        Assert.Equal(1, pool.Count(1_944));
        for (var i = 0; i < ReplyBuffers.KeptPerLength + 10; i++) pool.Give(new byte[8]);
        Assert.Equal(ReplyBuffers.KeptPerLength, pool.Count(8));   // bounded per length
        for (var length = 100; length < 100 + 2 * ReplyBuffers.Lengths; length++) pool.Give(new byte[length]);
        Assert.Equal(0, pool.Count(100 + 2 * ReplyBuffers.Lengths - 1)); // and in lengths
        pool.Give(new byte[ReplyBuffers.MaxLength + 1]);
        Assert.Equal(0, pool.Count(ReplyBuffers.MaxLength + 1));
        var big = new ReplyBuffers();
        for (var i = 0; i < 400; i++) big.Give(new byte[ReplyBuffers.MaxLength]);
        Assert.True(big.KeptBytes <= ReplyBuffers.MaxKeptBytes, $"{big.KeptBytes} bytes kept");   // and in bytes
        Assert.Equal(big.KeptBytes, big.Count(ReplyBuffers.MaxLength) * (long)ReplyBuffers.MaxLength);
    }

    [Fact]
    public void The_gateway_gives_back_anti_noise_replies_only()
    {
        var antiNoise = WireFrame.WriteAntiNoise(7, 70_000, SampleFormat.Float32, new float[480]);
        Assert.True(WireFrame.IsAntiNoise(antiNoise));
        var coefficients = new CoefficientMessage(1, 0, 48_000, 480, new float[64]).ToBytes();
        Assert.False(WireFrame.IsAntiNoise(coefficients));
        Assert.False(WireFrame.IsAntiNoise(new WireFrame(WireFrame.Audio, SampleFormat.Int16, 2, 1, 0, 480, 48_000, new byte[1_920]).ToBytes()));
        Assert.False(WireFrame.IsAntiNoise("{\"type\":\"stats\"}"u8));
    }

    [Fact]
    public void A_re_sent_frame_is_answered_with_a_copy_that_a_given_back_reply_cannot_change()
    {
        var pipeline = new SessionPipeline("reply-copy", new SessionGrainOptions(), new SessionCheckpoint());
        pipeline.Configure(new SessionConfig());
        var x = new float[480];
        var e = new float[480];
        for (var i = 0; i < 480; i++) e[i] = x[i] = 0.3f * MathF.Sin(2 * MathF.PI * 100 * i / 48_000f);
        AudioFrame Frame(long sequence) => new(sequence, sequence * 10_000, 48_000, SampleFormat.Float32, 480, FrameCodec.EncodeStereo(x, e, SampleFormat.Float32));
        for (var n = 0; n < 20; n++) ReplyBuffers.Shared.Give(pipeline.Process(Frame(n), null, out _).Message);

        var first = pipeline.Process(Frame(20), null, out _);
        var sent = (byte[])first.Message.Clone();
        var again = pipeline.Process(Frame(20), null, out _);     // its call failed on the way back: sent again
        Assert.NotSame(first.Message, again.Message);
        Assert.Equal(sent, again.Message);
        // The gateway gives the first reply's array back once sent, and a later reply is written into it. (Written here
        // without giving it back: the shared pool would hand it to another test's session.)
        Array.Fill(first.Message, (byte)0xAB);
        Assert.Equal(sent, again.Message);
        Assert.Equal(sent, pipeline.Process(Frame(20), null, out _).Message);
    }
}
