namespace AncOrleans.Dsp;

/// <summary>
/// A tapped delay line of length L holding the newest L samples of one signal, oldest first,
/// so that <see cref="Window"/> is the regressor u(n) = [u(n−L+1) … u(n)] as one contiguous span.
/// Each sample is written twice (at p and p+L) so the window never wraps: O(1) per push, no copying.
/// </summary>
public sealed class TapLine
{
    private readonly float[] _buffer; // 2L samples: the ring, mirrored
    private int _position;            // index of the oldest sample of the window

    public TapLine(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _buffer = SessionArray.Of<float>(2 * length);
    }

    public int Length { get; }

    /// <summary>The newest L samples, oldest first.</summary>
    public ReadOnlySpan<float> Window => new(_buffer, _position, Length);

    /// <summary>The sample pushed <paramref name="age"/> pushes ago (0 = newest).</summary>
    public float this[int age] => _buffer[_position + Length - 1 - age];

    public void Push(float sample)
    {
        _buffer[_position] = sample;
        _buffer[_position + Length] = sample;
        _position = _position + 1 == Length ? 0 : _position + 1;
    }

    /// <summary>Pushes a block of samples, oldest first: the same as <see cref="Push"/> for each, two copies per wrap.</summary>
    public void PushBlock(ReadOnlySpan<float> samples)
    {
        if (samples.Length > Length) samples = samples[^Length..];
        while (!samples.IsEmpty)
        {
            var run = Math.Min(samples.Length, Length - _position);
            var chunk = samples[..run];
            chunk.CopyTo(_buffer.AsSpan(_position));
            chunk.CopyTo(_buffer.AsSpan(_position + Length));
            _position = _position + run == Length ? 0 : _position + run;
            samples = samples[run..];
        }
    }

    /// <summary>Refills the line from a saved <see cref="Window"/> (oldest first).</summary>
    public void Load(ReadOnlySpan<float> window)
    {
        if (window.Length != Length) throw new ArgumentException($"A tap line of {Length} cannot load {window.Length} samples.");
        Clear();
        foreach (var sample in window) Push(sample);
    }

    public void Clear()
    {
        Array.Clear(_buffer);
        _position = 0;
    }
}
