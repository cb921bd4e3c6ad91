using System.Text;

namespace AncOrleans.Tests;

/// <summary>
/// Writes a TensorFlow Lite FlatBuffer with YAMNet's graph shape (window multiply, magnitude, mel matrix, convolution,
/// depthwise/pointwise blocks, mean, dense, logistic) but tiny, random layers, so <c>YamNet</c> is tested in CI without
/// the real file (not shipped). The writer lays children after their parents (uoffsets point forward, as FlatBuffers
/// requires) and each vtable just before its table; alignment is not needed by the reader.
/// </summary>
internal static class TinyTfLite
{
    private abstract record Node;
    private sealed record Table(params (int Field, object Value)[] Fields) : Node;   // values: int, byte, Node
    private sealed record Ints(int[] Values) : Node;
    private sealed record Floats(float[] Values) : Node;
    private sealed record Bytes(byte[] Values) : Node;
    private sealed record Longs(long[] Values) : Node;
    private sealed record Str(string Value) : Node;
    private sealed record Tables(Table[] Values) : Node;

    public sealed record Layer(bool Depthwise, int K, int Cout, int Stride, float[] Weights, float[] Bias, bool Int8 = false);

    /// <summary>
    /// The model: window [400], mel [64, 257] + offset [64], the layers (conv weights [Cout, K, K, Cin], depthwise
    /// [1, K, K, C]; with Int8 the weights are stored quantised with one scale and reached through a DEQUANTIZE), and a
    /// dense [classes, channels] + bias.
    /// </summary>
    public static byte[] Build(float[] window, float[] mel, float[] melOffset, IReadOnlyList<Layer> layers, float[] dense, float[] denseBias)
    {
        var buffers = new List<Table> { new() };
        var tensors = new List<Table>();
        var operators = new List<Table>();
        int Tensor(int[] shape, byte type = 0, byte[]? data = null, float? scale = null)
        {
            var fields = new List<(int, object)> { (0, new Ints(shape)), (1, type), (3, new Str($"t{tensors.Count}")) };
            if (data is not null)
            {
                buffers.Add(new Table((0, new Bytes(data))));
                fields.Add((2, buffers.Count - 1));
            }
            if (scale is { } s) fields.Add((4, new Table((2, new Floats([s])), (3, new Longs([0])))));
            tensors.Add(new Table([.. fields]));
            return tensors.Count - 1;
        }
        int Const(float[] values, params int[] shape) => Tensor(shape, 0, F(values));
        void Op(int code, int[] inputs, int[] outputs, Table? options = null)
        {
            var fields = new List<(int, object)> { (0, code), (1, new Ints(inputs)), (2, new Ints(outputs)) };
            if (options is not null) fields.Add((4, options));
            operators.Add(new Table([.. fields]));
        }
        // opcode i is builtin code i (the operator table indexes it directly)
        var input = Tensor([1, 400]);
        var windowed = Tensor([1, 400]);
        Op(18, [input, Const(window, 1, 400)], [windowed]);
        var spectrum = Tensor([1, 257]);
        var magnitude = Tensor([1, 257]);
        Op(75, [spectrum], [magnitude]);
        var mels = Tensor([1, 64]);
        Op(9, [magnitude, Const(mel, 64, 257), Const(melOffset, 64)], [mels]);
        var x = Tensor([1, 96, 64, 1]);
        var channels = 1;
        foreach (var l in layers)
        {
            var shape = l.Depthwise ? new[] { 1, l.K, l.K, l.Cout } : [l.Cout, l.K, l.K, channels];
            int weights;
            if (l.Int8)
            {
                var scale = l.Weights.Max(MathF.Abs) / 127;
                var q = l.Weights.Select(v => (byte)(sbyte)Math.Round(v / scale)).ToArray();
                var stored = Tensor(shape, 9, q, scale);
                weights = Tensor(shape);
                Op(6, [stored], [weights]);
            }
            else weights = Const(l.Weights, shape);
            var y = Tensor([1, 1, 1, l.Cout]);
            var options = l.Depthwise
                ? new Table((0, (byte)0), (1, l.Stride), (2, l.Stride), (3, 1), (4, (byte)1))
                : new Table((0, (byte)0), (1, l.Stride), (2, l.Stride), (3, (byte)1));
            Op(l.Depthwise ? 4 : 3, [x, weights, Const(l.Bias, l.Cout)], [y], options);
            x = y;
            channels = l.Cout;
        }
        var pooled = Tensor([1, channels]);
        Op(40, [x, Const([1, 2], 2)], [pooled]);
        var logits = Tensor([1, denseBias.Length]);
        Op(9, [pooled, Const(dense, denseBias.Length, channels), Const(denseBias, denseBias.Length)], [logits]);
        var output = Tensor([1, denseBias.Length]);
        Op(14, [logits], [output]);
        var codes = Enumerable.Range(0, 128).Select(c => new Table((0, (byte)Math.Min(c, 127)), (3, c))).ToArray();
        var subgraph = new Table((0, new Tables([.. tensors])), (1, new Ints([input])), (2, new Ints([output])), (3, new Tables([.. operators])));
        var model = new Table((0, 3), (1, new Tables(codes)), (2, new Tables([subgraph])), (4, new Tables([.. buffers])));
        return Write(model);
    }

    private static byte[] F(float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return bytes;
    }

    private static byte[] Write(Table root)
    {
        var output = new List<byte>(new byte[8]);
        output[4] = (byte)'T'; output[5] = (byte)'F'; output[6] = (byte)'L'; output[7] = (byte)'3';
        var at = Emit(output, root);
        Patch(output, 0, at - 0);
        return [.. output];
    }

    private static void Patch(List<byte> output, int position, int value)
    {
        var bytes = BitConverter.GetBytes(value);
        for (var i = 0; i < 4; i++) output[position + i] = bytes[i];
    }

    private static void Add(List<byte> output, int value) => output.AddRange(BitConverter.GetBytes(value));

    /// <summary>Writes a node at the end; returns its position (a table's: the table, after its vtable).</summary>
    private static int Emit(List<byte> output, Node node)
    {
        switch (node)
        {
            case Table table:
            {
                var fieldCount = table.Fields.Length == 0 ? 0 : table.Fields.Max(f => f.Field) + 1;
                var vtable = output.Count;
                var sizes = table.Fields.ToDictionary(f => f.Field, f => f.Value is byte ? 1 : 4);
                var offsets = new Dictionary<int, int>();
                var inline = 4;
                foreach (var (field, _) in table.Fields.OrderBy(f => f.Field)) { offsets[field] = inline; inline += sizes[field]; }
                output.AddRange(BitConverter.GetBytes((ushort)(4 + 2 * fieldCount)));
                output.AddRange(BitConverter.GetBytes((ushort)inline));
                for (var f = 0; f < fieldCount; f++) output.AddRange(BitConverter.GetBytes((ushort)(offsets.TryGetValue(f, out var o) ? o : 0)));
                var start = output.Count;
                Add(output, start - vtable); // soffset: vtable = table − soffset
                var pending = new List<(int Position, Node Child)>();
                foreach (var (field, value) in table.Fields.OrderBy(f => f.Field))
                {
                    switch (value)
                    {
                        case byte b: output.Add(b); break;
                        case int i: Add(output, i); break;
                        case Node child: pending.Add((output.Count, child)); Add(output, 0); break;
                        default: throw new ArgumentException($"field value {value}");
                    }
                }
                foreach (var (position, child) in pending) Patch(output, position, Emit(output, child) - position);
                return start;
            }
            case Tables list:
            {
                var start = output.Count;
                Add(output, list.Values.Length);
                var slots = list.Values.Select(_ => { var p = output.Count; Add(output, 0); return p; }).ToList();
                for (var i = 0; i < slots.Count; i++) Patch(output, slots[i], Emit(output, list.Values[i]) - slots[i]);
                return start;
            }
            case Ints v: return Vector(output, v.Values.Length, v.Values.SelectMany(BitConverter.GetBytes));
            case Floats v: return Vector(output, v.Values.Length, v.Values.SelectMany(BitConverter.GetBytes));
            case Longs v: return Vector(output, v.Values.Length, v.Values.SelectMany(BitConverter.GetBytes));
            case Bytes v: return Vector(output, v.Values.Length, v.Values);
            case Str s: return Vector(output, Encoding.UTF8.GetByteCount(s.Value), Encoding.UTF8.GetBytes(s.Value).Append((byte)0));
            default: throw new ArgumentException($"node {node}");
        }
    }

    private static int Vector(List<byte> output, int count, IEnumerable<byte> bytes)
    {
        var start = output.Count;
        Add(output, count);
        output.AddRange(bytes);
        return start;
    }
}
