using System.Text;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Reads a TensorFlow Lite model file: a FlatBuffer (Google's FlatBuffers format: a table is found through its
/// vtable at <c>table − soffset</c>, field i's offset at <c>vtable + 4 + 2i</c>, 0 when absent) with the schema
/// <c>tensorflow/lite/schema/schema.fbs</c> and the identifier "TFL3". Read: the first subgraph's tensors (shape, type,
/// constant data as float — int8/uint8 dequantised <c>(q − zero) · scale</c>, per tensor or per channel) and its
/// operators (builtin code, inputs, outputs, the scalar fields of their options table). Enough to run a known network
/// in plain C# (<see cref="YamNet"/>); it is not an interpreter.
/// Guards: a file without the identifier, a quantised tensor without scales, or an offset outside the file is refused
/// with <see cref="InvalidDataException"/>.
/// </summary>
public sealed class TfLiteFile
{
    public const int Conv2D = 3, DepthwiseConv2D = 4, Dequantize = 6, FullyConnected = 9, Logistic = 14, Mul = 18, Mean = 40, Sqrt = 75, Log = 73;

    private readonly byte[] _b;

    public sealed record Tensor(int Index, string Name, int[] Shape, int Type, float[]? Data);

    public sealed record Operator(int Code, int[] Inputs, int[] Outputs, int OptionsTable, TfLiteFile File)
    {
        /// <summary>The options table's field <paramref name="field"/> as a byte or int (by its schema type).</summary>
        public int OptionByte(int field) { var f = File.Field(OptionsTable, field); return f == 0 ? 0 : File._b[f]; }
        public int OptionInt(int field, int absent = 0) { var f = File.Field(OptionsTable, field); return f == 0 ? absent : File.I32(f); }
    }

    public IReadOnlyList<Tensor> Tensors { get; }
    public IReadOnlyList<Operator> Operators { get; }

    private TfLiteFile(byte[] bytes)
    {
        _b = bytes;
        if (bytes.Length < 8 || Encoding.ASCII.GetString(bytes, 4, 4) != "TFL3") throw new InvalidDataException("not a TensorFlow Lite model (no TFL3 identifier).");
        var root = Ref(0);
        var (nCodes, codes) = Vector(root, 1);
        var opCodes = new int[nCodes];
        for (var k = 0; k < nCodes; k++) { var oc = Ref(codes + 4 * k); opCodes[k] = Math.Max(Byte(oc, 0), Int(oc, 3)); }
        var (nSub, subs) = Vector(root, 2);
        if (nSub < 1) throw new InvalidDataException("the model has no subgraph.");
        var sg = Ref(subs);
        var (nBuf, bufs) = Vector(root, 4);
        var (nT, ts) = Vector(sg, 0);
        var tensors = new Tensor[nT];
        for (var k = 0; k < nT; k++)
        {
            var t = Ref(ts + 4 * k);
            var shape = Ints(t, 0);
            var type = Byte(t, 1);
            var buffer = Int(t, 2);
            float[]? data = null;
            if (buffer > 0 && buffer < nBuf)
            {
                var (n, start) = Vector(Ref(bufs + 4 * buffer), 0);
                if (n > 0) data = Decode(type, start, n, Table(t, 4), shape);
            }
            tensors[k] = new Tensor(k, String(t, 3), shape, type, data);
        }
        Tensors = tensors;
        var (nOps, ops) = Vector(sg, 3);
        var list = new Operator[nOps];
        for (var k = 0; k < nOps; k++)
        {
            var op = Ref(ops + 4 * k);
            list[k] = new Operator(opCodes[Int(op, 0)], Ints(op, 1), Ints(op, 2), Table(op, 4), this);
        }
        Operators = list;
    }

    public static TfLiteFile Load(string path) => Parse(File.ReadAllBytes(path));

    public static TfLiteFile Parse(byte[] bytes)
    {
        try
        {
            return new TfLiteFile(bytes);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"not a readable TensorFlow Lite model: {e.Message}", e);
        }
    }

    private float[] Decode(int type, int start, int bytes, int quantization, int[] shape)
    {
        switch (type)
        {
            case 0: // FLOAT32
                var f = new float[bytes / 4];
                Buffer.BlockCopy(_b, start, f, 0, bytes);
                return f;
            case 9: // INT8, symmetric or with zero points, per tensor or per channel
            case 3: // UINT8
                if (quantization == 0) throw new InvalidDataException("a quantised tensor without quantisation parameters.");
                var scales = Floats(quantization, 2);
                var zeros = Longs(quantization, 3);
                var axis = Int(quantization, 6);
                var q = new float[bytes];
                var inner = 1;
                for (var d = axis + 1; d < shape.Length; d++) inner *= shape[d];
                for (var i = 0; i < bytes; i++)
                {
                    var c = scales.Length == 1 ? 0 : i / inner % scales.Length;
                    int v = type == 9 ? (sbyte)_b[start + i] : _b[start + i];
                    q[i] = (float)((v - (zeros.Length == 0 ? 0 : zeros[c])) * scales[c]);
                }
                return q;
            case 2: // INT32
                var n = new float[bytes / 4];
                for (var i = 0; i < n.Length; i++) n[i] = I32(start + 4 * i);
                return n;
            default:
                return [];
        }
    }

    // FlatBuffer primitives: a table's vtable is at table − soffset; field i's offset is at vtable + 4 + 2i.
    private int I32(int p) => BitConverter.ToInt32(_b, p);
    private int Ref(int p) => p + I32(p);
    private int Field(int table, int i)
    {
        if (table == 0) return 0;
        var vt = table - I32(table);
        var size = BitConverter.ToUInt16(_b, vt);
        var o = 4 + 2 * i;
        if (o >= size) return 0;
        var off = BitConverter.ToUInt16(_b, vt + o);
        return off == 0 ? 0 : table + off;
    }
    private int Table(int t, int i) { var f = Field(t, i); return f == 0 ? 0 : Ref(f); }
    private (int Count, int Start) Vector(int t, int i) { var v = Table(t, i); return v == 0 ? (0, 0) : (I32(v), v + 4); }
    private int Int(int t, int i) { var f = Field(t, i); return f == 0 ? 0 : I32(f); }
    private int Byte(int t, int i) { var f = Field(t, i); return f == 0 ? 0 : _b[f]; }
    private string String(int t, int i) { var s = Table(t, i); return s == 0 ? "" : Encoding.UTF8.GetString(_b, s + 4, I32(s)); }
    private int[] Ints(int t, int i) { var (n, s) = Vector(t, i); var r = new int[n]; for (var k = 0; k < n; k++) r[k] = I32(s + 4 * k); return r; }
    private float[] Floats(int t, int i) { var (n, s) = Vector(t, i); var r = new float[n]; for (var k = 0; k < n; k++) r[k] = BitConverter.ToSingle(_b, s + 4 * k); return r; }
    private long[] Longs(int t, int i) { var (n, s) = Vector(t, i); var r = new long[n]; for (var k = 0; k < n; k++) r[k] = BitConverter.ToInt64(_b, s + 8 * k); return r; }
}
