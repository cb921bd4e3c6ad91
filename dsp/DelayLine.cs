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
        _ring = SessionArray.Of<float>(delay + 1);
    }

    public int Delay { get; }

    public float Process(float sample)
    {
        _ring[_head] = sample;
        _head = _head + 1 == _ring.Length ? 0 : _head + 1;
        return _ring[_head];
    }

    /// <summary><see cref="Process"/> over a block: <paramref name="output"/>[i] is the sample pushed D calls before <paramref name="input"/>[i].</summary>
    public void ProcessBlock(ReadOnlySpan<float> input, Span<float> output)
    {
        var ring = _ring.Length;
        for (var i = 0; i < input.Length; i++)
        {
            _ring[_head] = input[i];
            _head = _head + 1 == ring ? 0 : _head + 1;
            output[i] = _ring[_head];
        }
    }

    /// <summary>The D+1 stored samples, oldest first (the next one out first).</summary>
    public void Save(Span<float> destination)
    {
        for (var k = 0; k < _ring.Length; k++) destination[k] = _ring[(_head + k) % _ring.Length];
    }

    public void Load(ReadOnlySpan<float> source)
    {
        source[.._ring.Length].CopyTo(_ring);
        _head = 0;
    }

    public int StateLength => _ring.Length;

    public void Clear()
    {
        Array.Clear(_ring);
        _head = 0;
    }
}
