using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Grains.Sessions;

namespace AncOrleans.Tests;

/// <summary>The frame path's arrays that are given back for later frames: the gateway's PCM and the feature batches'.</summary>
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
}
