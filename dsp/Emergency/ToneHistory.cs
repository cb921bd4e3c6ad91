using AncOrleans.Dsp;
namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The last few seconds of <see cref="ToneFrame"/>s in a fixed ring (oldest first), so the pattern tests read the
/// track without allocating. Frames older than <see cref="Seconds"/> before the newest are dropped.
/// </summary>
public sealed class ToneHistory
{
    private readonly ToneFrame[] _ring;
    private int _start, _count;

    public ToneHistory(double seconds, double hopSeconds)
    {
        Seconds = seconds;
        _ring = SessionArray.Of<ToneFrame>((int)Math.Ceiling(seconds / hopSeconds) + 2);
    }

    /// <summary>How far back the history reaches.</summary>
    public double Seconds { get; }

    public int Count => _count;

    /// <summary>The i-th frame, oldest first.</summary>
    public ToneFrame this[int i]
    {
        get
        {
            var j = _start + i; // _start and i are both below the ring's length: one subtraction wraps it
            return _ring[j >= _ring.Length ? j - _ring.Length : j];
        }
    }

    public ToneFrame Newest => this[_count - 1];

    public void Add(ToneFrame frame)
    {
        if (_count == _ring.Length) { _start = (_start + 1) % _ring.Length; _count--; }
        _ring[(_start + _count) % _ring.Length] = frame;
        _count++;
        while (_count > 0 && frame.TimeSeconds - this[0].TimeSeconds > Seconds) { _start = (_start + 1) % _ring.Length; _count--; }
    }

    /// <summary>Index of the oldest frame no more than <paramref name="seconds"/> older than the newest.</summary>
    public int IndexOfLast(double seconds)
    {
        var i = _count;
        while (i > 0 && Newest.TimeSeconds - this[i - 1].TimeSeconds <= seconds + 1e-9) i--;
        return i;
    }
}
