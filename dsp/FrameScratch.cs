using System.Numerics;

namespace AncOrleans.Dsp;

/// <summary>
/// Working memory for one frame, shared by every session a thread serves: the frame's decoded channels, a canceller's
/// intermediate signals, a filter's input line. A session's frame is processed synchronously on one thread from start
/// to end (no await inside), so what one frame used is free again when the next frame — of any session — starts on
/// that thread. Held per session instead, these buffers were ≈ 230 KB of an edge session's ≈ 560 KB (100 ms frames at
/// 48 kHz: ten frame-sized arrays kept for the session's life; docs/measurements/benchmarks.md, twentieth session).
/// <code>
/// using var scratch = FrameScratch.Open();
/// var y = scratch.Floats(n);      // zeroed; valid until the scope ends
/// </code>
/// Rules: a span from a scope is never kept beyond it (not in a field, not across an await); scopes nest, last opened
/// first disposed. Spans are zeroed when handed out, so no session ever reads another's audio. The thread's buffer is
/// on the pinned heap and grows by doubling; a span handed out before a growth keeps the old array alive until its scope
/// ends (a span is a tracked reference).
/// </summary>
public ref struct FrameScratch
{
    private const int InitialFloats = 16 * 1024;

    [ThreadStatic] private static float[]? _floats;
    [ThreadStatic] private static int _top;

    private readonly int _mark;

    private FrameScratch(int mark) => _mark = mark;

    /// <summary>Opens a scope on this thread's buffer; dispose it (<c>using</c>) to give back what it handed out.</summary>
    public static FrameScratch Open() => new(_top);

    /// <summary><paramref name="length"/> zeroed floats, valid until this scope is disposed.</summary>
    public readonly Span<float> Floats(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var start = _top;
        var floats = _floats;
        if (floats is null || floats.Length - start < length)
            _floats = floats = SessionArray.Of<float>((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(InitialFloats, 2 * (start + length))));
        _top = start + length;
        var span = floats.AsSpan(start, length);
        span.Clear();
        return span;
    }

    /// <summary>Gives back everything handed out since <see cref="Open"/>.</summary>
    public readonly void Dispose() => _top = _mark;

    /// <summary>Floats handed out and not yet given back on this thread (0 between frames).</summary>
    public static int InUse => _top;
}
