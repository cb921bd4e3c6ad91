namespace AncOrleans.Gateway.Devices;

/// <summary>
/// A connection's PCM arrays, kept for the next frames: a device sends frames of one size, so an array whose frame the
/// session has answered carries a later frame instead of becoming garbage (an edge-mode device's 100 ms frame is 19.2 KB:
/// before, half of what an edge-mode gateway allocated, and the gen-0 collections that paused every frame with it).
/// An array is given back only when nothing can read it any more — its frame dropped before the call, or answered; a
/// call that failed or timed out may still have the frame on its way, so its array is left to the collector. At most
/// <see cref="Kept"/> arrays per connection; the receive loop takes and the process loop gives back, under a lock.
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
        return length == 0 ? [] : new byte[length];
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
