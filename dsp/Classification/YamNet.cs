using System.Collections.Concurrent;
using System.Numerics.Tensors;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// YAMNet, a pretrained audio event tagger (Plakal &amp; Ellis, Google Research 2019, tensorflow/models
/// research/audioset/yamnet, Apache 2.0): MobileNet v1 (Howard et al., "MobileNets", arXiv:1704.04861, 2017) trained on
/// AudioSet's 521 classes (Gemmeke et al., ICASSP 2017: ≈ 2 million real recordings), run here in plain C# from its
/// TensorFlow Lite file (<see cref="TfLiteFile"/>; the file is not shipped — docs/classifier.md says where it comes from).
/// <code>
///   front end   16 kHz; frames of 400 samples (25 ms, periodic Hann, the file's window) every 160 (10 ms);
///               |FFT₅₁₂|; 64 mel bands 125–7500 Hz (the file's matrix M and offset b): log(M·|X| + b)
///   patch       96 frames × 64 bands (0.96 s)
///   network     conv 3×3 /2 (32) → 13 × [depthwise 3×3 (/2 in blocks 3, 5, 7, 13) → pointwise 1×1], each with its
///               batch norm folded in and ReLU; SAME padding (TensorFlow's: the odd pixel after);
///               mean over time × frequency → dense 1024 → 521 → logistic
/// </code>
/// 69 M multiply-adds per patch. Weights the file holds as int8 (per-tensor scales) are dequantised once at load and
/// the network runs in float (TensorFlow Lite's hybrid kernels would also quantise the activations; float is closer
/// to the network as trained). The front end uses the exact transform where the file multiplies by an int8 DFT matrix.
/// Immutable after load and shared by every session (<see cref="LoadShared"/>); each thread has its own work arrays
/// (two planes of the largest layer, 393 KB), so a patch allocates nothing.
/// Guards: the layer shapes are read from the file and checked against the patch (96 × 64 × 1 in, one vector out);
/// any other layout is refused at load with <see cref="InvalidDataException"/>.
/// </summary>
public sealed class YamNet
{
    public const int SampleRate = 16_000, FrameLength = 400, Hop = 160, FftSize = 512, Bands = 64, PatchFrames = 96;

    /// <summary>Samples one patch needs: (96 − 1) · 160 + 400 = 15,600 (0.975 s).</summary>
    public const int PatchSamples = (PatchFrames - 1) * Hop + FrameLength;

    private sealed record Layer(bool Depthwise, int K, int Cin, int Cout, int Stride, bool Relu, float[] W, float[] B);

    private static readonly ConcurrentDictionary<string, Lazy<YamNet>> Shared = new(StringComparer.Ordinal);

    [ThreadStatic] private static float[]? _planeA, _planeB, _mean;

    private readonly float[] _window;   // [400]
    private readonly float[] _mel;      // [64, 257]
    private readonly float[] _melOffset;
    private readonly Layer[] _layers;
    private readonly float[] _denseT;   // [channels, classes]
    private readonly float[] _denseB;
    private readonly RealFft _fft = new(FftSize);
    private readonly int _largest;      // floats in the largest activation plane

    public YamNet(TfLiteFile file)
    {
        var t = file.Tensors;
        var dequantised = file.Operators.Where(o => o.Code == TfLiteFile.Dequantize).ToDictionary(o => o.Outputs[0], o => o.Inputs[0]);
        float[] Data(int index, string what)
        {
            if (index < 0 || index >= t.Count) throw new InvalidDataException($"YAMNet: no tensor for {what}.");
            return (dequantised.TryGetValue(index, out var source) ? t[source].Data : t[index].Data) is { Length: > 0 } data
                ? data : throw new InvalidDataException($"YAMNet: tensor '{t[index].Name}' ({what}) has no constant data.");
        }
        _window = file.Operators.Where(o => o.Code == TfLiteFile.Mul).SelectMany(o => o.Inputs).Where(i => i >= 0)
            .Select(i => t[i].Data).FirstOrDefault(d => d is { Length: FrameLength })
            ?? throw new InvalidDataException("YAMNet: no 400-sample analysis window in the file.");
        var sqrt = file.Operators.FirstOrDefault(o => o.Code == TfLiteFile.Sqrt) ?? throw new InvalidDataException("YAMNet: no magnitude spectrum.");
        var melOp = file.Operators.FirstOrDefault(o => o.Code == TfLiteFile.FullyConnected && o.Inputs[0] == sqrt.Outputs[0])
            ?? throw new InvalidDataException("YAMNet: no mel matrix after the magnitude spectrum.");
        _mel = Data(melOp.Inputs[1], "mel matrix");
        _melOffset = Data(melOp.Inputs[2], "log offset");
        if (_mel.Length != Bands * _fft.Bins || _melOffset.Length != Bands) throw new InvalidDataException("YAMNet: the mel matrix is not 64 × 257.");
        var layers = new List<Layer>();
        int h = PatchFrames, w = Bands, c = 1, largest = h * w;
        foreach (var op in file.Operators.SkipWhile(o => o.Code != TfLiteFile.Conv2D).Where(o => o.Code is TfLiteFile.Conv2D or TfLiteFile.DepthwiseConv2D))
        {
            var depthwise = op.Code == TfLiteFile.DepthwiseConv2D;
            var shape = t[op.Inputs[1]].Shape; // conv [Cout, K, K, Cin]; depthwise [1, K, K, C]
            if (shape.Length != 4 || shape[1] != shape[2]) throw new InvalidDataException($"YAMNet: unexpected filter shape [{string.Join(",", shape)}].");
            if (op.OptionByte(0) != 0) throw new InvalidDataException("YAMNet: only SAME padding is supported.");
            int stride = op.OptionInt(1), k = shape[1], cout = depthwise ? shape[3] : shape[0], cin = depthwise ? cout : shape[3];
            if (cin != c || stride is < 1 or > 2 || op.OptionInt(2) != stride) throw new InvalidDataException($"YAMNet: layer {layers.Count + 1} does not follow its input.");
            var weights = Data(op.Inputs[1], "filter");
            if (!depthwise) weights = Transpose(weights, cout, k * k * cin); // convolutions stored [K, K, Cin, Cout]: one axpy per tap and input channel
            var relu = op.OptionByte(depthwise ? 4 : 3) is 1 or 3; // RELU or RELU6 (ReLU6's cap is not reached by YAMNet's folded layers)
            layers.Add(new Layer(depthwise, k, cin, cout, stride, relu, weights, Data(op.Inputs[2], "bias")));
            h = (h + stride - 1) / stride;
            w = (w + stride - 1) / stride;
            c = cout;
            largest = Math.Max(largest, h * w * c);
        }
        if (layers.Count == 0) throw new InvalidDataException("YAMNet: no convolution layers.");
        var dense = file.Operators.LastOrDefault(o => o.Code == TfLiteFile.FullyConnected) ?? throw new InvalidDataException("YAMNet: no dense layer.");
        _denseB = Data(dense.Inputs[2], "dense bias");
        _denseT = Transpose(Data(dense.Inputs[1], "dense weights"), _denseB.Length, c);
        if (_denseT.Length != _denseB.Length * c) throw new InvalidDataException("YAMNet: the dense layer does not follow the network.");
        _layers = [.. layers];
        _largest = largest;
        Channels = c;
    }

    /// <summary>Number of classes (AudioSet's 521 for YAMNet).</summary>
    public int Classes => _denseB.Length;

    /// <summary>Width of the embedding the dense layer reads (1024).</summary>
    public int Channels { get; }

    public static YamNet Load(string path) => new(TfLiteFile.Load(path));

    /// <summary>One instance per file for the whole process (sessions share it; it is immutable).</summary>
    public static YamNet LoadShared(string path) => Shared.GetOrAdd(Path.GetFullPath(path), p => new Lazy<YamNet>(() => Load(p))).Value;

    private static float[] Transpose(float[] m, int rows, int cols)
    {
        var r = new float[m.Length];
        for (var i = 0; i < rows; i++)
            for (var j = 0; j < cols && i * cols + j < m.Length; j++) r[j * rows + i] = m[i * cols + j];
        return r;
    }

    /// <summary>One frame's 64 log-mel bands from its 400 samples (16 kHz).</summary>
    public void LogMel(ReadOnlySpan<float> frame, Span<float> bands)
    {
        var padded = FftScratch.Frame(FftSize);
        padded.Clear();
        TensorPrimitives.Multiply(frame[..FrameLength], _window, padded[..FrameLength]);
        var re = FftScratch.Re(_fft.Bins);
        var im = FftScratch.Im(_fft.Bins);
        _fft.Forward(padded, re, im);
        TensorPrimitives.Multiply(re, re, re);
        TensorPrimitives.MultiplyAdd(im, im, re, re);
        TensorPrimitives.Sqrt(re, re);
        for (var m = 0; m < Bands; m++)
            bands[m] = MathF.Log(TensorPrimitives.Dot(_mel.AsSpan(m * re.Length, re.Length), re) + _melOffset[m]);
    }

    /// <summary>The class scores (0–1) of one patch of 96 log-mel frames × 64 bands (frame-major).</summary>
    public void Scores(ReadOnlySpan<float> patch, Span<float> scores) => Scores(patch, scores, default);

    /// <summary>
    /// <see cref="Scores(ReadOnlySpan{float}, Span{float})"/>, also writing the patch's embedding (the mean of the last
    /// layer, <see cref="Channels"/> values) when <paramref name="embedding"/> is not empty.
    /// </summary>
    public void Scores(ReadOnlySpan<float> patch, Span<float> scores, Span<float> embedding)
    {
        var a = Plane(ref _planeA);
        var b = Plane(ref _planeB);
        patch[..(PatchFrames * Bands)].CopyTo(a);
        int h = PatchFrames, w = Bands;
        foreach (var layer in _layers)
        {
            var oh = (h + layer.Stride - 1) / layer.Stride;
            var ow = (w + layer.Stride - 1) / layer.Stride;
            if (layer.K == 1 && !layer.Depthwise && layer.Stride == 1) Pointwise(layer, a, b, h * w);
            else Spatial(layer, a, b, h, w, oh, ow);
            var written = b.AsSpan(0, oh * ow * layer.Cout);
            if (layer.Relu) TensorPrimitives.Max(written, 0f, written);
            (a, b) = (b, a);
            h = oh;
            w = ow;
        }
        var mean = _mean is { } m && m.Length >= Channels ? m.AsSpan(0, Channels) : (_mean = new float[Channels]).AsSpan();
        mean.Clear();
        for (var p = 0; p < h * w; p++) TensorPrimitives.Add(mean, a.AsSpan(p * Channels, Channels), mean);
        TensorPrimitives.Multiply(mean, 1f / (h * w), mean);
        if (!embedding.IsEmpty) mean.CopyTo(embedding);
        var output = scores[..Classes];
        _denseB.CopyTo(output);
        for (var ci = 0; ci < Channels; ci++) TensorPrimitives.MultiplyAdd(_denseT.AsSpan(ci * Classes, Classes), mean[ci], output, output);
        TensorPrimitives.Sigmoid(output, output);
    }

    private float[] Plane(ref float[]? plane) => plane is { } p && p.Length >= _largest ? p : plane = new float[_largest];

    // TensorFlow's SAME padding: out = ⌈in / s⌉, the total padding max((out − 1) s + k − in, 0) split with the odd one after.
    private static int PadBefore(int size, int outSize, int k, int s) => Math.Max((outSize - 1) * s + k - size, 0) / 2;

    // A spatial layer: the full convolution (weights [K, K, Cin, Cout]: one axpy per tap and input channel) or the
    // depthwise one (weights [K, K, C]: one element-wise multiply-add per tap); the same walk over taps inside the input.
    private static void Spatial(Layer l, float[] input, float[] output, int h, int w, int oh, int ow)
    {
        int pt = PadBefore(h, oh, l.K, l.Stride), pl = PadBefore(w, ow, l.K, l.Stride);
        for (var oy = 0; oy < oh; oy++)
            for (var ox = 0; ox < ow; ox++)
            {
                var acc = output.AsSpan((oy * ow + ox) * l.Cout, l.Cout);
                l.B.CopyTo(acc);
                for (var ky = 0; ky < l.K; ky++)
                {
                    var iy = oy * l.Stride + ky - pt;
                    if ((uint)iy >= (uint)h) continue;
                    for (var kx = 0; kx < l.K; kx++)
                    {
                        var ix = ox * l.Stride + kx - pl;
                        if ((uint)ix >= (uint)w) continue;
                        var tap = ky * l.K + kx;
                        if (l.Depthwise)
                            TensorPrimitives.MultiplyAdd(input.AsSpan((iy * w + ix) * l.Cout, l.Cout), l.W.AsSpan(tap * l.Cout, l.Cout), acc, acc);
                        else
                            for (var ci = 0; ci < l.Cin; ci++)
                                TensorPrimitives.MultiplyAdd(l.W.AsSpan((tap * l.Cin + ci) * l.Cout, l.Cout), input[(iy * w + ix) * l.Cin + ci], acc, acc);
                    }
                }
            }
    }

    private static void Pointwise(Layer l, float[] input, float[] output, int pixels)
    {
        for (var p = 0; p < pixels; p++) l.B.CopyTo(output.AsSpan(p * l.Cout, l.Cout));
        if (pixels <= 64)
        {
            // the deep layers: few pixels, large filters (up to 1024 × 1024 = 4 MB) — each weight row is read once a patch
            // and applied to every pixel while it is in cache, not once per pixel from memory
            for (var ci = 0; ci < l.Cin; ci++)
            {
                var row = l.W.AsSpan(ci * l.Cout, l.Cout);
                for (var p = 0; p < pixels; p++)
                {
                    var x = input[p * l.Cin + ci];
                    if (x != 0) TensorPrimitives.MultiplyAdd(row, x, output.AsSpan(p * l.Cout, l.Cout), output.AsSpan(p * l.Cout, l.Cout));
                }
            }
            return;
        }
        for (var p = 0; p < pixels; p++)
        {
            var acc = output.AsSpan(p * l.Cout, l.Cout);
            var x = input.AsSpan(p * l.Cin, l.Cin);
            for (var ci = 0; ci < x.Length; ci++)
                if (x[ci] != 0) TensorPrimitives.MultiplyAdd(l.W.AsSpan(ci * l.Cout, l.Cout), x[ci], acc, acc); // after ReLU most inputs are 0
        }
    }
}
