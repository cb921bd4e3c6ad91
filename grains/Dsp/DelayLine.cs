namespace AncOrleans.Dsp;

/// <summary>A pure delay z^−D: <see cref="Process"/> returns the sample pushed D calls earlier (zeros at start).</summary>
public sealed class DelayLine
{
    private readonly float[] _ring; // D+1 samples
    private int _head;

    public DelayLine(int delay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delay);
        Delay = delay;
        _ring = new float[delay + 1];
    }

    public int Delay { get; }

    public float Process(float sample)
    {
        _ring[_head] = sample;
        _head = _head + 1 == _ring.Length ? 0 : _head + 1;
        return _ring[_head];
    }

    public void Clear()
    {
        Array.Clear(_ring);
        _head = 0;
    }
}
