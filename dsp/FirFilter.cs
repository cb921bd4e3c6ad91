using System.Numerics.Tensors;

namespace AncOrleans.Dsp;

/// <summary>
/// A streaming FIR filter y(n) = Σ_k h(k)·x(n−k). Used for the secondary-path model Ŝ(z):
/// r(n) = Ŝ * x(n) (the filtered reference of FxLMS) and Ŝ * y(n) (the anti-noise as heard at the ear).
/// </summary>
public sealed class FirFilter
{
    private readonly float[] _reversed; // h reversed, so that y = dot(h_rev, window oldest-first)
    private readonly TapLine _taps;     // input history

    public FirFilter(ReadOnlySpan<float> impulseResponse)
    {
        if (impulseResponse.IsEmpty) throw new ArgumentException("An FIR needs at least one tap.", nameof(impulseResponse));
        _reversed = impulseResponse.ToArray();
        Array.Reverse(_reversed);
        _taps = new TapLine(_reversed.Length);
    }

    public int Length => _reversed.Length;

    public float Process(float sample)
    {
        _taps.Push(sample);
        return TensorPrimitives.Dot(_reversed, _taps.Window);
    }

    /// <summary>
    /// A block at once, vectorised across the block (one multiply-add pass per tap) — the same result as
    /// <see cref="Process(float)"/> sample by sample. <paramref name="scratch"/> holds at least Length − 1 + N floats.
    /// </summary>
    public void ProcessBlock(ReadOnlySpan<float> input, Span<float> output, Span<float> scratch)
    {
        var taps = _reversed.Length;
        var history = taps - 1;
        var count = input.Length;
        var buffer = scratch[..(history + count)];
        _taps.Window[1..].CopyTo(buffer);         // the newest taps − 1 inputs, oldest first
        input.CopyTo(buffer[history..]);
        output[..count].Clear();
        for (var m = 0; m < taps; m++)            // y(n) += h(m) x(n − m);  _reversed[taps − 1 − m] = h(m)
            TensorPrimitives.MultiplyAdd(buffer.Slice(history - m, count), _reversed[taps - 1 - m], output[..count], output[..count]);
        foreach (var sample in input[Math.Max(0, count - taps)..]) _taps.Push(sample);
    }

    public void Clear() => _taps.Clear();

    /// <summary>The input history, oldest first (length <see cref="Length"/>).</summary>
    public ReadOnlySpan<float> History => _taps.Window;

    public void LoadHistory(ReadOnlySpan<float> history) => _taps.Load(history);

    /// <summary>Offline convolution of a whole signal, truncated to the input length.</summary>
    public static float[] Convolve(ReadOnlySpan<float> signal, ReadOnlySpan<float> impulseResponse)
    {
        var fir = new FirFilter(impulseResponse);
        var output = new float[signal.Length];
        for (var n = 0; n < signal.Length; n++) output[n] = fir.Process(signal[n]);
        return output;
    }
}
