using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// The device's control filter in edge mode: y(n) = Σ_k W_v(k) x(n − k), run on the device's own reference mic with
/// no network in the audio path, and a linear cross-fade when a new set arrives:
/// <code>
///   y(n) = a(n) · (W_v * x)(n) + (1 − a(n)) · (W_u * x)(n),   a(n) = min(1, (m + 1) / F)
/// </code>
/// where W_u is the set in force before, m counts the samples since W_v was applied and F is the set's cross-fade
/// length. A set is applied only between blocks (a device applies it at the start of an upload frame), so the
/// frame's tag — (v, u, m at its first sample) — tells the cloud exactly what was played
/// (<see cref="EdgeCanceller"/> runs the same class as its replica). Allocation-free per sample.
/// </summary>
public sealed class EdgeFilter
{
    private readonly TapLine _history;       // x, the newest L samples, oldest first
    private float[] _current;                 // W_v reversed (so y = dot(reversed, window))
    private float[] _previous;                // W_u reversed
    private int _fadeLength;                  // F of the current set
    private int _elapsed;                     // m: samples since W_v was applied

    public EdgeFilter(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _history = new TapLine(length);
        _current = new float[length];
        _previous = new float[length];
    }

    public int Length => _history.Length;

    /// <summary>v: the version in force (0: none yet, the filter is silent).</summary>
    public uint Version { get; private set; }

    /// <summary>u: the version being faded out (equal to <see cref="Version"/> once the fade is over).</summary>
    public uint FadingFrom { get; private set; }

    /// <summary>m: samples since <see cref="Version"/> was applied, saturating at its cross-fade length.</summary>
    public int FadeElapsed => _elapsed;

    public int FadeLength => _fadeLength;

    public bool Fading => FadingFrom != Version && _elapsed < _fadeLength;

    /// <summary>
    /// Applies a new set between blocks: the set in force becomes the one faded out over <paramref name="crossfade"/>
    /// samples (0: switch at once). The taps are copied.
    /// </summary>
    public void Apply(uint version, ReadOnlySpan<float> taps, int crossfade)
    {
        if (taps.Length != Length) throw new ArgumentException($"A set of {taps.Length} taps does not fit a filter of {Length}.", nameof(taps));
        (_previous, _current) = (_current, _previous);
        Reverse(taps, _current);
        FadingFrom = Fading || crossfade > 0 ? Version : version;
        Version = version;
        _fadeLength = Math.Max(0, crossfade);
        _elapsed = 0;
        if (_fadeLength == 0) FadingFrom = version;
    }

    /// <summary>
    /// The cloud's replica: puts the filter in the state a device reported at the start of a frame, keeping the
    /// input history (which the replica shares with the device because it sees the same x).
    /// </summary>
    public void SetState(uint version, ReadOnlySpan<float> taps, uint fadingFrom, ReadOnlySpan<float> fromTaps, int elapsed, int fadeLength)
    {
        Reverse(taps, _current);
        Version = version;
        FadingFrom = fadingFrom;
        _fadeLength = Math.Max(0, fadeLength);
        _elapsed = Math.Clamp(elapsed, 0, _fadeLength);
        if (fadingFrom != version && _elapsed < _fadeLength) Reverse(fromTaps, _previous);
        else FadingFrom = version;
    }

    private static void Reverse(ReadOnlySpan<float> taps, float[] destination)
    {
        if (taps.IsEmpty) { Array.Clear(destination); return; }
        for (var k = 0; k < destination.Length; k++) destination[destination.Length - 1 - k] = taps[k];
    }

    /// <summary>Filters a block of x into y (same length).</summary>
    public void Process(ReadOnlySpan<float> x, Span<float> y)
    {
        for (var i = 0; i < x.Length; i++)
        {
            _history.Push(x[i]);
            var window = _history.Window;
            var value = TensorPrimitives.Dot(_current, window);
            if (_elapsed < _fadeLength)
            {
                _elapsed++;
                if (FadingFrom != Version)
                {
                    var a = (float)_elapsed / _fadeLength;
                    value = a * value + (1 - a) * TensorPrimitives.Dot(_previous, window);
                }
            }
            y[i] = float.IsFinite(value) ? value : 0f;
        }
        if (_elapsed >= _fadeLength) FadingFrom = Version;
    }

    /// <summary>Only the input history, for frames whose output is not needed (the cloud's replica while it idles).</summary>
    public void Observe(ReadOnlySpan<float> x)
    {
        foreach (var sample in x) _history.Push(sample);
        _elapsed = Math.Min(_fadeLength, _elapsed + x.Length);
        if (_elapsed >= _fadeLength) FadingFrom = Version;
    }

    /// <summary>The taps in force, oldest-lag first (W_v(0) … W_v(L−1)).</summary>
    public void CopyTaps(Span<float> destination)
    {
        for (var k = 0; k < Length; k++) destination[k] = _current[Length - 1 - k];
    }

    /// <summary>Forgets the input (after a gap in the stream).</summary>
    public void ClearHistory() => _history.Clear();
}
