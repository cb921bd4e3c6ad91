using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// A small convolutional network on the log-mel patch (<see cref="NoiseFeatures.Patch"/>: 122 frames × 40 bands,
/// ≈ 2 s), after Piczak, "Environmental sound classification with convolutional neural networks" (MLSP 2015) and
/// Salamon &amp; Bello, "Deep convolutional neural networks and data augmentation for environmental sound
/// classification" (IEEE SPL 24(3), 2017), made small enough to run once a second per session. Trained offline with
/// TorchSharp (acoustics.torch); this is the inference, in plain C#:
/// <code>
///   x[m, τ] = (½ (L[2τ, m] + L[2τ+1, m]) − mean L) / s          pairs of frames averaged: 40 × 61, level-free
///   h₁ = pool₂(relu(conv₃ₓ₃(x)))                                 C₁ channels, 20 × 30   (batch norm folded in)
///   h₂ = pool₂(relu(conv₃ₓ₃(h₁)))                                C₂ channels, 10 × 15
///   h₃ = pool₂(relu(conv₃ₓ₃(h₂)))                                C₃ channels,  5 × 7
///   z  = W [mean h₃ ; max h₃] + b,  p = softmax(z)              per channel over (m, τ)
/// </code>
/// conv₃ₓ₃ pads with zeros (the patch mean) and pool₂ is 2 × 2 max pooling, flooring odd sizes, as torch does.
/// A convolution runs over the whole zero-bordered plane as one flat run of positions (the row ends compute two columns
/// of garbage that pooling never reads), four output channels at a time in SIMD registers (<see cref="System.Numerics.Vector{T}"/>):
/// per block of positions, each input tap is loaded once and multiply-added into the four accumulators, which are stored
/// once — the inner loop holds no memory traffic but the taps (fused multiply-adds: logits move by ~1e-6 against
/// separate ones, far inside the file check's 1e-3). Output channels are padded to a multiple of four with zero weights.
/// The weights file (<c>*.cnn</c>, written by acoustics.torch): <c>ANCCNN01</c>, a JSON header (labels, channels,
/// scale, blend), the float32 weights, and a check — one input patch and the logits TorchSharp gave for it; loading
/// refuses a file whose check this code does not reproduce (within 1e-3).
/// Not thread-safe (one set of work buffers); <see cref="Predict"/> allocates nothing.
/// </summary>
public sealed class LogMelCnn
{
    public const int Bands = NoiseFeatures.Bands, PatchFrames = NoiseFeatures.PatchFrames, Width = PatchFrames / 2;
    public const int Kernel = 3;
    private const string Magic = "ANCCNN01";
    private readonly int[] _channels;
    private readonly float[][] _convWeights, _convBias;
    private readonly float[] _denseWeights, _denseBias;
    private readonly float[][] _planes;   // zero-bordered input of each conv layer: C × (H + 2) × (W + 2), + one vector of slack
    private readonly float[] _accumulator, _pooled; // scratch: four output planes (flat, vector-padded); the global pooling
    private readonly float[][] _blockWeights, _blockBias; // per layer, outputs padded to a multiple of 4: [o][i][tap], [o]
    private const int Block = 4;
    private static readonly bool Wide = Vector512.IsHardwareAccelerated; // 16 positions a vector
    private static readonly int Lanes = Wide ? Vector512<float>.Count : System.Numerics.Vector<float>.Count;
    private readonly int[] _height, _width;

    private LogMelCnn(Header header, float[][] convWeights, float[][] convBias, float[] denseWeights, float[] denseBias)
    {
        Labels = header.Labels;
        Scale = header.Scale;
        Blend = header.Blend;
        _channels = header.Channels;
        _convWeights = convWeights;
        _convBias = convBias;
        _denseWeights = denseWeights;
        _denseBias = denseBias;
        var layers = _channels.Length;
        _height = new int[layers + 1];
        _width = new int[layers + 1];
        (_height[0], _width[0]) = (Bands, Width);
        for (var l = 0; l < layers; l++) (_height[l + 1], _width[l + 1]) = (_height[l] / 2, _width[l] / 2);
        _planes = new float[layers][];
        for (var l = 0; l < layers; l++) _planes[l] = new float[(l == 0 ? 1 : _channels[l - 1]) * (_height[l] + 2) * (_width[l] + 2) + Lanes];
        _accumulator = new float[Block * Padded(_height[0] * (_width[0] + 2))];
        _blockWeights = new float[layers][];
        _blockBias = new float[layers][];
        for (var l = 0; l < layers; l++)
        {
            var padded = (_channels[l] + Block - 1) / Block * Block;
            _blockWeights[l] = new float[padded * (l == 0 ? 1 : _channels[l - 1]) * Kernel * Kernel];
            convWeights[l].CopyTo(_blockWeights[l], 0);
            _blockBias[l] = new float[padded];
            convBias[l].CopyTo(_blockBias[l], 0);
        }
        _pooled = new float[2 * _channels[^1]];
    }

    public IReadOnlyList<string> Labels { get; }

    /// <summary>s: the dB scale of the input.</summary>
    public float Scale { get; }

    /// <summary>The weight of this network's probabilities against the feature model's (1: the CNN alone), chosen by cross-validation.</summary>
    public float Blend { get; }

    /// <summary>The number of inputs to the dense layer: mean and max of each last channel.</summary>
    public int Embedding => _pooled.Length;

    /// <summary>Multiply-adds per prediction.</summary>
    public long MultiplyAdds
    {
        get
        {
            long total = 0;
            for (var l = 0; l < _channels.Length; l++)
                total += (long)_height[l] * _width[l] * _channels[l] * (l == 0 ? 1 : _channels[l - 1]) * Kernel * Kernel;
            return total + (long)_pooled.Length * Labels.Count;
        }
    }

    /// <summary>
    /// x (<see cref="Bands"/> × <see cref="Width"/>, band-major) from a raw patch (<see cref="PatchFrames"/> × <see cref="Bands"/>,
    /// time-major, dB): frame pairs averaged, the mean removed, divided by <paramref name="scale"/>. The trainer uses the same.
    /// </summary>
    public static void Prepare(ReadOnlySpan<float> patch, Span<float> x, float scale)
    {
        if (patch.Length != PatchFrames * Bands) throw new ArgumentException($"a patch has {PatchFrames * Bands} values, got {patch.Length}.");
        if (x.Length != Bands * Width) throw new ArgumentException($"x has {Bands * Width} values, got {x.Length}.");
        var mean = TensorPrimitives.Sum(patch) / patch.Length;
        var gain = 0.5f / scale;
        for (var t = 0; t < Width; t++)
        {
            var a = patch.Slice(2 * t * Bands, Bands);
            var b = patch.Slice((2 * t + 1) * Bands, Bands);
            for (var m = 0; m < Bands; m++) x[m * Width + t] = (a[m] + b[m] - 2 * mean) * gain;
        }
    }

    /// <summary>Logits (<see cref="Labels"/> order) of a raw patch.</summary>
    public void Logits(ReadOnlySpan<float> patch, Span<float> logits)
    {
        if (logits.Length != Labels.Count) throw new ArgumentException($"expected {Labels.Count} logits, got {logits.Length}.");
        PrepareInto(patch, _planes[0], _width[0] + 2); // the first plane: x inside a zero border
        for (var l = 0; l < _channels.Length; l++) Convolve(l);
        for (var c = 0; c < Labels.Count; c++)
            logits[c] = _denseBias[c] + TensorPrimitives.Dot(_denseWeights.AsSpan(c * _pooled.Length, _pooled.Length), _pooled);
    }

    /// <summary>p(c | patch) in <see cref="Labels"/> order.</summary>
    public void Predict(ReadOnlySpan<float> patch, Span<float> probabilities)
    {
        Logits(patch, probabilities);
        TensorPrimitives.SoftMax(probabilities, probabilities);
    }

    private void PrepareInto(ReadOnlySpan<float> patch, float[] plane, int stride)
    {
        if (patch.Length != PatchFrames * Bands) throw new ArgumentException($"a patch has {PatchFrames * Bands} values, got {patch.Length}.");
        foreach (var v in patch) if (!float.IsFinite(v)) throw new ArgumentException("the patch contains a non-finite value.");
        var mean = TensorPrimitives.Sum(patch) / patch.Length;
        var gain = 0.5f / Scale;
        for (var t = 0; t < Width; t++)
        {
            var a = patch.Slice(2 * t * Bands, Bands);
            var b = patch.Slice((2 * t + 1) * Bands, Bands);
            for (var m = 0; m < Bands; m++) plane[(m + 1) * stride + t + 1] = (a[m] + b[m] - 2 * mean) * gain;
        }
    }

    private static int Padded(int length) => (length + Lanes - 1) / Lanes * Lanes;

    private void Convolve(int layer)
    {
        int height = _height[layer], width = _width[layer], stride = width + 2;
        int inputs = layer == 0 ? 1 : _channels[layer - 1], outputs = _channels[layer];
        var planeSize = (height + 2) * stride;
        var length = height * stride - 2;                      // acc[y·stride + x], x < width valid
        var rowLength = Padded(length);
        var last = layer == _channels.Length - 1;
        var taps = Kernel * Kernel;
        ref var input = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_planes[layer]);
        ref var accumulator = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_accumulator);
        var weights = _blockWeights[layer];
        var bias = _blockBias[layer];
        for (var o0 = 0; o0 < outputs; o0 += Block)
        {
            // conv: acc_j(n) = b_j + Σ_i Σ_tap w_j,i,tap · x_i(n + tap offset), j = o0 … o0 + 3, n over the flat plane
            var perOutput = inputs * taps;
            if (Wide)
            {
                ConvolveWide(ref input, ref accumulator, weights, bias, o0, inputs, planeSize, stride, length, rowLength);
                for (var j = 0; j < Block && o0 + j < outputs; j++) Pool(layer, o0 + j, _accumulator.AsSpan(j * rowLength, length), last);
                continue;
            }
            for (var at = 0; at < length; at += Lanes)
            {
                System.Numerics.Vector<float> a0 = new(bias[o0]), a1 = new(bias[o0 + 1]), a2 = new(bias[o0 + 2]), a3 = new(bias[o0 + 3]);
                for (var i = 0; i < inputs; i++)
                {
                    var w = (o0 * inputs + i) * taps;
                    var from = i * planeSize + at;
                    for (var ky = 0; ky < Kernel; ky++)
                    {
                        for (var kx = 0; kx < Kernel; kx++, w++)
                        {
                            var x = System.Numerics.Vector.LoadUnsafe(ref input, (nuint)(from + ky * stride + kx));
                            a0 = System.Numerics.Vector.FusedMultiplyAdd(x, new System.Numerics.Vector<float>(weights[w]), a0);
                            a1 = System.Numerics.Vector.FusedMultiplyAdd(x, new System.Numerics.Vector<float>(weights[w + perOutput]), a1);
                            a2 = System.Numerics.Vector.FusedMultiplyAdd(x, new System.Numerics.Vector<float>(weights[w + 2 * perOutput]), a2);
                            a3 = System.Numerics.Vector.FusedMultiplyAdd(x, new System.Numerics.Vector<float>(weights[w + 3 * perOutput]), a3);
                        }
                    }
                }
                System.Numerics.Vector.StoreUnsafe(a0, ref accumulator, (nuint)at);
                System.Numerics.Vector.StoreUnsafe(a1, ref accumulator, (nuint)(rowLength + at));
                System.Numerics.Vector.StoreUnsafe(a2, ref accumulator, (nuint)(2 * rowLength + at));
                System.Numerics.Vector.StoreUnsafe(a3, ref accumulator, (nuint)(3 * rowLength + at));
            }
            for (var j = 0; j < Block && o0 + j < outputs; j++) Pool(layer, o0 + j, _accumulator.AsSpan(j * rowLength, length), last);
        }
    }

    // The same block with 512-bit vectors: each position's accumulators take the same fused multiply-adds in the same
    // order (only more positions per instruction), so the planes are the same bit for bit; half the loads of the taps
    // and weights per position, which bound the 256-bit loop.
    private static void ConvolveWide(ref float input, ref float accumulator, float[] weights, float[] bias, int o0, int inputs,
        int planeSize, int stride, int length, int rowLength)
    {
        const int taps = Kernel * Kernel;
        var perOutput = inputs * taps;
        for (var at = 0; at < length; at += Lanes)
        {
            Vector512<float> a0 = Vector512.Create(bias[o0]), a1 = Vector512.Create(bias[o0 + 1]),
                a2 = Vector512.Create(bias[o0 + 2]), a3 = Vector512.Create(bias[o0 + 3]);
            for (var i = 0; i < inputs; i++)
            {
                var w = (o0 * inputs + i) * taps;
                var from = i * planeSize + at;
                for (var ky = 0; ky < Kernel; ky++)
                {
                    for (var kx = 0; kx < Kernel; kx++, w++)
                    {
                        var x = Vector512.LoadUnsafe(ref input, (nuint)(from + ky * stride + kx));
                        a0 = Vector512.FusedMultiplyAdd(x, Vector512.Create(weights[w]), a0);
                        a1 = Vector512.FusedMultiplyAdd(x, Vector512.Create(weights[w + perOutput]), a1);
                        a2 = Vector512.FusedMultiplyAdd(x, Vector512.Create(weights[w + 2 * perOutput]), a2);
                        a3 = Vector512.FusedMultiplyAdd(x, Vector512.Create(weights[w + 3 * perOutput]), a3);
                    }
                }
            }
            Vector512.StoreUnsafe(a0, ref accumulator, (nuint)at);
            Vector512.StoreUnsafe(a1, ref accumulator, (nuint)(rowLength + at));
            Vector512.StoreUnsafe(a2, ref accumulator, (nuint)(2 * rowLength + at));
            Vector512.StoreUnsafe(a3, ref accumulator, (nuint)(3 * rowLength + at));
        }
    }

    // relu ∘ 2 × 2 max pool (they commute) of output channel o, into the next plane's interior or the global pooling.
    private void Pool(int layer, int o, ReadOnlySpan<float> accumulator, bool last)
    {
        int height = _height[layer], width = _width[layer], stride = width + 2, outputs = _channels[layer];
        int outHeight = height / 2, outWidth = width / 2, outStride = outWidth + 2;
        float sum = 0, max = 0;
        var next = last ? default : _planes[layer + 1].AsSpan(o * (outHeight + 2) * outStride, (outHeight + 2) * outStride);
        for (var py = 0; py < outHeight; py++)
        {
            var top = 2 * py * stride;
            var bottom = top + stride;
            for (var px = 0; px < outWidth; px++)
            {
                var v = MathF.Max(MathF.Max(accumulator[top + 2 * px], accumulator[top + 2 * px + 1]),
                    MathF.Max(accumulator[bottom + 2 * px], accumulator[bottom + 2 * px + 1]));
                v = MathF.Max(v, 0);
                if (last)
                {
                    sum += v;
                    max = MathF.Max(max, v);
                }
                else next[(py + 1) * outStride + px + 1] = v;
            }
        }
        if (last)
        {
            _pooled[o] = sum / (outHeight * outWidth);
            _pooled[outputs + o] = max;
        }
    }

    public static LogMelCnn Load(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static LogMelCnn Read(Stream stream, string name = "stream")
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        InvalidDataException Bad(string why) => new($"'{name}' is not a CNN weights file: {why}.");
        if (Encoding.ASCII.GetString(reader.ReadBytes(Magic.Length)) != Magic) throw Bad("no ANCCNN01 signature");
        var headerLength = reader.ReadInt32();
        if (headerLength is <= 0 or > 1 << 20) throw Bad("header length out of range");
        var header = JsonSerializer.Deserialize<Header>(reader.ReadBytes(headerLength), JsonOptions) ?? throw Bad("empty header");
        if (header.Labels.Length == 0 || header.Channels.Length == 0 || header.Channels.Any(c => c is <= 0 or > 512)
            || header.Bands != Bands || header.Frames != PatchFrames || !(header.Scale > 0) || header.Blend is < 0 or > 1)
            throw Bad("header does not describe this network (bands 40, frames 122, channels, scale > 0, blend 0–1)");
        float[] Floats(int count)
        {
            var bytes = reader.ReadBytes(count * 4);
            if (bytes.Length != count * 4) throw Bad("truncated");
            var values = new float[count];
            for (var i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(4 * i));
            foreach (var v in values) if (!float.IsFinite(v)) throw Bad("a non-finite weight");
            return values;
        }
        var layers = header.Channels.Length;
        var convWeights = new float[layers][];
        var convBias = new float[layers][];
        for (var l = 0; l < layers; l++)
        {
            convWeights[l] = Floats(header.Channels[l] * (l == 0 ? 1 : header.Channels[l - 1]) * Kernel * Kernel);
            convBias[l] = Floats(header.Channels[l]);
        }
        var denseWeights = Floats(header.Labels.Length * 2 * header.Channels[^1]);
        var denseBias = Floats(header.Labels.Length);
        var network = new LogMelCnn(header, convWeights, convBias, denseWeights, denseBias);
        var checkInput = Floats(PatchFrames * Bands);
        var checkLogits = Floats(header.Labels.Length);
        var logits = new float[header.Labels.Length];
        network.Logits(checkInput, logits);
        var error = 0f;
        for (var c = 0; c < logits.Length; c++) error = MathF.Max(error, MathF.Abs(logits[c] - checkLogits[c]));
        network.CheckError = error;
        if (error > 1e-3f) throw Bad($"its check patch gives logits {error:g3} away from the trainer's");
        return network;
    }

    /// <summary>The largest |logit| difference between this code and the trainer on the file's check patch.</summary>
    public float CheckError { get; private set; }

    /// <summary>Writes a weights file (the trainer's export; weights in the order <see cref="Read"/> reads them).</summary>
    public static void Write(Stream stream, Header header, IReadOnlyList<float[]> tensors, ReadOnlySpan<float> checkInput, ReadOnlySpan<float> checkLogits)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Encoding.ASCII.GetBytes(Magic));
        var json = JsonSerializer.SerializeToUtf8Bytes(header, JsonOptions);
        writer.Write(json.Length);
        writer.Write(json);
        foreach (var tensor in tensors) foreach (var v in tensor) writer.Write(v);
        foreach (var v in checkInput) writer.Write(v);
        foreach (var v in checkLogits) writer.Write(v);
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The weights file's header.</summary>
    public sealed record Header(string[] Labels, int[] Channels, int Bands, int Frames, float Scale, float Blend, string TrainedOn, string Licence);
}
