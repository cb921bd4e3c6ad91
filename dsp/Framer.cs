namespace AncOrleans.Dsp;

/// <summary>
/// Cuts a stream into overlapping analysis frames: <see cref="Size"/> samples every <see cref="Hop"/> samples, the first
/// frame being the stream's first <see cref="Size"/> samples. Samples arrive in chunks of any length; the frames are the
/// same as sample by sample (block copies up to each frame's end). Allocation-free after construction.
/// </summary>
public sealed class Framer
{
    private readonly float[] _pending;   // the samples of the next frame
    private int _filled;

    public Framer(int size, int hop)
    {
        if (size < 1 || hop < 1 || hop > size) throw new ArgumentException($"a frame of {size} samples cannot hop {hop}.");
        Size = size;
        Hop = hop;
        _pending = SessionArray.Of<float>(size);
    }

    public int Size { get; }

    public int Hop { get; }

    /// <summary>The complete frame, inside the <c>onFrame</c> callback.</summary>
    public ReadOnlySpan<float> Frame => _pending;

    /// <summary>The stream index of <see cref="Frame"/>'s first sample (inside the callback: of the frame just completed).</summary>
    public long Start { get; private set; }

    /// <summary>Feeds samples; calls <paramref name="onFrame"/> for every frame they complete, <see cref="Frame"/> holding it.</summary>
    public void Push(ReadOnlySpan<float> samples, Action onFrame)
    {
        while (!samples.IsEmpty)
        {
            var take = Math.Min(Size - _filled, samples.Length);
            samples[..take].CopyTo(_pending.AsSpan(_filled));
            samples = samples[take..];
            _filled += take;
            if (_filled < Size) return;
            onFrame();
            Array.Copy(_pending, Hop, _pending, 0, Size - Hop);
            _filled = Size - Hop;
            Start += Hop;
        }
    }
}
