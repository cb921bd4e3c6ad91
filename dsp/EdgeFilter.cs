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
/// (<see cref="EdgeCanceller"/> runs the same class as its replica). A block's outputs are computed together
/// (<see cref="BlockFir"/>) over a line that holds the L − 1 samples before the block and then the block, whose last
/// L − 1 samples are kept for the next. The filter keeps only those L − 1 samples; the line and the faded-out set's
/// output are the thread's frame scratch (<see cref="FrameScratch"/>), so nothing is allocated per block.
/// </summary>
public sealed class EdgeFilter
{
    private readonly float[] _history;        // x: the L − 1 samples before the next block
    private float[] _current;                 // W_v reversed (so y(i) = Σ_j reversed(j) · line(i + j))
    private float[] _previous;                // W_u reversed
    private int _fadeLength;                  // F of the current set
    private int _elapsed;                     // m: samples since W_v was applied
    private bool _currentSilent = true, _previousSilent = true; // W_v, W_u all zeros: their output is zero, not computed

    public EdgeFilter(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        _history = SessionArray.Of<float>(length - 1);
        _current = SessionArray.Of<float>(length);
        _previous = SessionArray.Of<float>(length);
    }

    public int Length { get; }

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
        _previousSilent = _currentSilent;
        _currentSilent = Reverse(taps, _current);
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
        _currentSilent = Reverse(taps, _current);
        Version = version;
        FadingFrom = fadingFrom;
        _fadeLength = Math.Max(0, fadeLength);
        _elapsed = Math.Clamp(elapsed, 0, _fadeLength);
        if (fadingFrom != version && _elapsed < _fadeLength) _previousSilent = Reverse(fromTaps, _previous);
        else FadingFrom = version;
    }

    // Returns whether the taps are all zeros (a device's set 0, a zero set sent in passthrough or after harm).
    private static bool Reverse(ReadOnlySpan<float> taps, float[] destination)
    {
        if (taps.IsEmpty) { Array.Clear(destination); return true; }
        for (var k = 0; k < destination.Length; k++) destination[destination.Length - 1 - k] = taps[k];
        return !destination.AsSpan().ContainsAnyExcept(0f);
    }

    /// <summary>Filters a block of x into y (same length).</summary>
    public void Process(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException($"{x.Length} samples need {x.Length} outputs, not {y.Length}.", nameof(y));
        var n = x.Length;
        var history = Length - 1;
        using var scratch = FrameScratch.Open();
        var line = Line(scratch, x);
        // Zero taps give zero output for any finite x (and non-finite outputs are zeroed below): a device's set 0 at a
        // session's start, when every session starts at once, costs no L-tap convolution.
        if (_currentSilent) y[..n].Clear();
        else BlockFir.Convolve(line, _current, y[..n]);
        // The fade: y(i) = a · (W_v * x)(i) + (1 − a) · (W_u * x)(i), a = (m + 1) / F, for the samples it still lasts.
        var fading = _elapsed < _fadeLength ? Math.Min(n, _fadeLength - _elapsed) : 0;
        if (fading > 0 && FadingFrom != Version)
        {
            var from = scratch.Floats(fading);
            if (_previousSilent) from.Clear();
            else BlockFir.Convolve(line[..(history + fading)], _previous, from);
            for (var i = 0; i < fading; i++)
            {
                var a = (float)(_elapsed + i + 1) / _fadeLength;
                y[i] = a * y[i] + (1 - a) * from[i];
            }
        }
        _elapsed += fading;
        for (var i = 0; i < n; i++)
            if (!float.IsFinite(y[i])) y[i] = 0f;
        Keep(line);
        if (_elapsed >= _fadeLength) FadingFrom = Version;
    }

    /// <summary>Only the input history, for frames whose output is not needed (the cloud's replica while it idles).</summary>
    public void Observe(ReadOnlySpan<float> x)
    {
        using var scratch = FrameScratch.Open();
        Keep(Line(scratch, x));
        _elapsed = Math.Min(_fadeLength, _elapsed + x.Length);
        if (_elapsed >= _fadeLength) FadingFrom = Version;
    }

    // The line for a block: the kept history, then the block.
    private Span<float> Line(FrameScratch scratch, ReadOnlySpan<float> x)
    {
        var line = scratch.Floats(_history.Length + x.Length);
        _history.CopyTo(line);
        x.CopyTo(line[_history.Length..]);
        return line;
    }

    // Keeps the line's newest L − 1 samples for the next block.
    private void Keep(ReadOnlySpan<float> line) => line[^_history.Length..].CopyTo(_history);

    /// <summary>The taps in force, oldest-lag first (W_v(0) … W_v(L−1)).</summary>
    public void CopyTaps(Span<float> destination)
    {
        for (var k = 0; k < Length; k++) destination[k] = _current[Length - 1 - k];
    }

    /// <summary>Forgets the input (after a gap in the stream).</summary>
    public void ClearHistory() => Array.Clear(_history);
}
