namespace AncOrleans.Abstractions.Protocol;

/// <summary>
/// The arrays of anti-noise replies (<see cref="WireFrame.WriteAntiNoise"/>), kept process-wide (<see cref="Shared"/>)
/// for later replies of the same length. A session writes each 10 ms reply into one array (≈ 2 KB at 48 kHz, float32),
/// which an in-process grain call hands to the gateway as it is (<see cref="AntiNoiseFrame"/> is immutable); the
/// gateway gives it back once the WebSocket has sent it. Without this the replies were about half of what an antinoise
/// gateway allocated. Unlike <see cref="FrameBuffers"/> (one owner takes and gives back: a connection, a batcher),
/// a reply is taken by a session and given back by a connection that cannot reach it, hence one pool per process.
/// <para>
/// Ownership: an array is given back only by whoever holds the last reference to it — the gateway's send loop after
/// the send, or its queue when it drops the reply — and is never read or written by it afterwards. A session keeps no
/// reference to a reply it returned (its answer to a re-sent frame is a copy). A reply deserialised from another silo
/// is simply a new array of the same length, as safe to keep. Anything not given back is left to the collector.
/// </para>
/// Bounded: at most <see cref="KeptPerLength"/> arrays of one length, <see cref="Lengths"/> lengths, and
/// <see cref="MaxKeptBytes"/> in all; an array given back beyond that, or longer than <see cref="MaxLength"/>, is left
/// to the collector. Taking and giving back happen on different threads (a grain's turn, a socket's send loop), so each
/// length's stack is under its own lock.
/// </summary>
public sealed class ReplyBuffers
{
    public const int KeptPerLength = 4096, Lengths = 16, MaxLength = 64 * 1024;
    public const long MaxKeptBytes = 16L << 20;

    /// <summary>The process's pool: the sessions' replies and the gateway's send loops.</summary>
    public static ReplyBuffers Shared { get; } = new();

    private readonly Bucket[] _buckets = new Bucket[Lengths];
    private int _bucketCount;
    private long _keptBytes;

    /// <summary>An array of exactly <paramref name="length"/> bytes, its contents undefined: a kept one, or a new one.</summary>
    public byte[] Take(int length)
    {
        if (length == 0) return [];
        if (Find(length) is { } bucket && bucket.TryTake() is { } kept)
        {
            Interlocked.Add(ref _keptBytes, -length);
            return kept;
        }
        // Pinned: a kept array lives as long as the process, so the collector should not copy it from gen 0 to gen 2.
        return GC.AllocateUninitializedArray<byte>(length, pinned: length <= MaxLength);
    }

    /// <summary>Keeps <paramref name="array"/> for a later reply. The caller must not read or write it afterwards.</summary>
    public void Give(byte[] array)
    {
        if (array.Length is 0 or > MaxLength) return;
        if (Interlocked.Add(ref _keptBytes, array.Length) > MaxKeptBytes || (Find(array.Length) ?? Add(array.Length))?.TryGive(array) != true)
            Interlocked.Add(ref _keptBytes, -array.Length);
    }

    /// <summary>Arrays of <paramref name="length"/> bytes kept now.</summary>
    public int Count(int length) => Find(length)?.Count ?? 0;

    /// <summary>Bytes kept now, every length.</summary>
    public long KeptBytes => Interlocked.Read(ref _keptBytes);

    private Bucket? Find(int length)
    {
        var count = Volatile.Read(ref _bucketCount);
        for (var i = 0; i < count; i++)
            if (_buckets[i].Length == length) return _buckets[i];
        return null;
    }

    private Bucket? Add(int length)
    {
        lock (_buckets)
        {
            if (Find(length) is { } existing) return existing;
            if (_bucketCount == Lengths) return null;
            _buckets[_bucketCount] = new Bucket(length);
            Volatile.Write(ref _bucketCount, _bucketCount + 1); // published after the bucket: a reader never sees a null
            return _buckets[_bucketCount - 1];
        }
    }

    private sealed class Bucket(int length)
    {
        private readonly Lock _gate = new();
        private byte[][] _free = new byte[16][];
        private int _count;

        public int Length => length;

        public int Count
        {
            get { lock (_gate) return _count; }
        }

        public byte[]? TryTake()
        {
            lock (_gate)
            {
                if (_count == 0) return null;
                var array = _free[--_count];
                _free[_count] = null!;
                return array;
            }
        }

        public bool TryGive(byte[] array)
        {
            lock (_gate)
            {
                if (_count == KeptPerLength) return false;
                if (_count == _free.Length) Array.Resize(ref _free, Math.Min(KeptPerLength, 2 * _free.Length));
                _free[_count++] = array;
                return true;
            }
        }
    }
}
