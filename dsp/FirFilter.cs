using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
        Convolve(buffer, _reversed, output[..count]);
        _taps.PushBlock(input); // keeps the newest Length
    }

    /// <summary>
    /// Three filters with the same taps (<paramref name="a"/>'s), each over a block of the same length, in one pass: each
    /// tap is broadcast once for all three. The same sums in the same order as three <see cref="ProcessBlock"/> calls, so
    /// the same result. <paramref name="scratch"/> holds at least 3 (Length − 1 + N) floats.
    /// </summary>
    internal static void ProcessBlocks(FirFilter a, FirFilter b, FirFilter c, ReadOnlySpan<float> inputA, ReadOnlySpan<float> inputB,
        ReadOnlySpan<float> inputC, Span<float> outputA, Span<float> outputB, Span<float> outputC, Span<float> scratch)
    {
        var taps = a._reversed.Length;
        if (b._reversed.Length != taps || c._reversed.Length != taps || inputB.Length != inputA.Length || inputC.Length != inputA.Length)
            throw new ArgumentException("ProcessBlocks takes three filters of one length over three blocks of one length.");
        var history = taps - 1;
        var count = inputA.Length;
        var span = history + count;
        Span<float> bufferA = scratch[..span], bufferB = scratch.Slice(span, span), bufferC = scratch.Slice(2 * span, span);
        a._taps.Window[1..].CopyTo(bufferA);
        b._taps.Window[1..].CopyTo(bufferB);
        c._taps.Window[1..].CopyTo(bufferC);
        inputA.CopyTo(bufferA[history..]);
        inputB.CopyTo(bufferB[history..]);
        inputC.CopyTo(bufferC[history..]);
        ref var xa = ref MemoryMarshal.GetReference(bufferA);
        ref var xb = ref MemoryMarshal.GetReference(bufferB);
        ref var xc = ref MemoryMarshal.GetReference(bufferC);
        ref var h0 = ref MemoryMarshal.GetArrayDataReference(a._reversed);
        ref var ya = ref MemoryMarshal.GetReference(outputA);
        ref var yb = ref MemoryMarshal.GetReference(outputB);
        ref var yc = ref MemoryMarshal.GetReference(outputC);
        var n = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; n + 16 <= count; n += 16)
            {
                Vector512<float> accA = default, accB = default, accC = default;
                for (var m = 0; m < taps; m++)
                {
                    var h = Vector512.Create(Unsafe.Add(ref h0, history - m));
                    var at = (nuint)(history - m + n);
                    accA += h * Vector512.LoadUnsafe(ref xa, at);
                    accB += h * Vector512.LoadUnsafe(ref xb, at);
                    accC += h * Vector512.LoadUnsafe(ref xc, at);
                }
                accA.StoreUnsafe(ref ya, (nuint)n);
                accB.StoreUnsafe(ref yb, (nuint)n);
                accC.StoreUnsafe(ref yc, (nuint)n);
            }
        var lanes = Vector<float>.Count;
        for (; n + lanes <= count; n += lanes)
        {
            Vector<float> accA = default, accB = default, accC = default;
            for (var m = 0; m < taps; m++)
            {
                var h = new Vector<float>(Unsafe.Add(ref h0, history - m));
                var at = (nuint)(history - m + n);
                accA += h * Vector.LoadUnsafe(ref xa, at);
                accB += h * Vector.LoadUnsafe(ref xb, at);
                accC += h * Vector.LoadUnsafe(ref xc, at);
            }
            accA.StoreUnsafe(ref ya, (nuint)n);
            accB.StoreUnsafe(ref yb, (nuint)n);
            accC.StoreUnsafe(ref yc, (nuint)n);
        }
        for (; n < count; n++)
        {
            float accA = 0f, accB = 0f, accC = 0f;
            for (var m = 0; m < taps; m++)
            {
                var h = Unsafe.Add(ref h0, history - m);
                accA += h * Unsafe.Add(ref xa, history - m + n);
                accB += h * Unsafe.Add(ref xb, history - m + n);
                accC += h * Unsafe.Add(ref xc, history - m + n);
            }
            Unsafe.Add(ref ya, n) = accA;
            Unsafe.Add(ref yb, n) = accB;
            Unsafe.Add(ref yc, n) = accC;
        }
        a._taps.PushBlock(inputA); // each keeps its newest Length inputs
        b._taps.PushBlock(inputB);
        c._taps.PushBlock(inputC);
    }


    /// <summary>
    /// y(n) = Σ_m h(m) x(n − m) for n over <paramref name="output"/>, with x = <paramref name="buffer"/> (the taps − 1
    /// samples before the block, then the block). Output-major: one SIMD vector of outputs accumulates all the taps in
    /// registers (the sums in the order m = 0, 1, …, as a tap-major loop would add them), so a short block costs no
    /// call per tap.
    /// </summary>
    private static void Convolve(ReadOnlySpan<float> buffer, float[] reversed, Span<float> output)
    {
        var taps = reversed.Length;
        var history = taps - 1;
        var count = output.Length;
        ref var x0 = ref MemoryMarshal.GetReference(buffer);
        ref var h0 = ref MemoryMarshal.GetArrayDataReference(reversed);
        ref var y0 = ref MemoryMarshal.GetReference(output);
        var n = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; n + 16 <= count; n += 16)
            {
                var acc = Vector512<float>.Zero;
                for (var m = 0; m < taps; m++)
                    acc += Vector512.Create(Unsafe.Add(ref h0, history - m)) * Vector512.LoadUnsafe(ref x0, (nuint)(history - m + n));
                acc.StoreUnsafe(ref y0, (nuint)n);
            }
        var lanes = Vector<float>.Count;
        for (; n + lanes <= count; n += lanes)
        {
            var acc = Vector<float>.Zero;
            for (var m = 0; m < taps; m++)
                acc += new Vector<float>(Unsafe.Add(ref h0, history - m)) * Vector.LoadUnsafe(ref x0, (nuint)(history - m + n));
            acc.StoreUnsafe(ref y0, (nuint)n);
        }
        for (; n < count; n++)
        {
            var acc = 0f;
            for (var m = 0; m < taps; m++) acc += Unsafe.Add(ref h0, history - m) * Unsafe.Add(ref x0, history - m + n);
            Unsafe.Add(ref y0, n) = acc;
        }
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
