namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// PCM arrays kept for later frames of the same size, so that steady state allocates none: a gateway connection's (a
/// device sends frames of one size; an edge-mode 100 ms frame is 19.2 KB, half of what an edge-mode gateway allocated
/// before) and a session's feature batches' (<c>FeatureBatcher</c>, 9.6 KB per 100 ms). An array is given back only
/// when nothing can read it any more — its frame dropped before the call, or answered; its batch's call returned. A
/// call that failed or timed out may still hold its frame, so that array is left to the collector. At most
/// <see cref="Kept"/> arrays per owner; taking and giving back may happen on different threads (a connection's receive
/// and process loops), so both are under a lock.
/// </summary>
public sealed class FrameBuffers
{
    public const int Kept = 4;
    private readonly byte[][] _free = new byte[Kept][];
    private int _count;

    /// <summary>An array of exactly <paramref name="length"/> bytes: a kept one, or a new one.</summary>
    public byte[] Take(int length)
    {
        lock (_free)
        {
            for (var i = _count - 1; i >= 0; i--)
            {
                if (_free[i].Length != length) continue;
                var array = _free[i];
                _free[i] = _free[--_count];
                _free[_count] = null!;
                return array;
            }
        }
        // On the pinned object heap, as a session's DSP arrays (dsp/SessionArray.cs): kept for the connection's or the
        // session's life, so the collector should not copy them from gen 0 to gen 2 after a burst of new devices.
        return length == 0 ? [] : GC.AllocateArray<byte>(length, pinned: true);
    }

    /// <summary>Keeps <paramref name="array"/> for a later frame. The caller must not read or write it afterwards.</summary>
    public void Give(byte[] array)
    {
        if (array.Length == 0) return;
        lock (_free)
        {
            if (_count < Kept) _free[_count++] = array;
        }
    }

    /// <summary>Arrays kept now (for tests).</summary>
    public int Count
    {
        get { lock (_free) return _count; }
    }
}
