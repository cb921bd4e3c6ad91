using System.Numerics.Tensors;
using System.Text;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Our categories from a pretrained tagger's embedding (<see cref="YamNet"/>: 1,024 values per 0.96 s patch): a
/// multinomial logistic regression (softmax regression; Bishop, "Pattern Recognition and Machine Learning", 2006, §4.3.4)
/// on standardised embeddings,
/// <code>
///   z = (e − μ) / σ,   p(c | e) = softmax(W z + b)_c
///   trained by full-batch Adam (Kingma &amp; Ba 2015) on the mean cross-entropy + λ ‖W‖² / 2
/// </code>
/// Blended with the in-house model's probabilities (same labels, same order): p = (1 − β) p_model + β p_head
/// (<see cref="Blend"/>). Guards: a σ of 0 counts as 1; a non-finite embedding gives the uniform distribution; the file
/// is refused unless its sizes agree.
/// </summary>
public sealed class TaggerHead
{
    private const string Magic = "ANC-TAGGER-HEAD-1";
    private readonly float[] _mean, _scale, _weights, _bias; // weights [labels, dims]

    public TaggerHead(IReadOnlyList<string> labels, float[] mean, float[] scale, float[] weights, float[] bias, double beta)
    {
        if (mean.Length != scale.Length || weights.Length != labels.Count * mean.Length || bias.Length != labels.Count)
            throw new InvalidDataException("tagger head: sizes disagree.");
        Labels = [.. labels];
        (_mean, _scale, _weights, _bias, Beta) = (mean, scale, weights, bias, beta);
    }

    public string[] Labels { get; }
    public int Dimensions => _mean.Length;

    /// <summary>β: the head's share of the blend.</summary>
    public double Beta { get; }

    /// <summary>p(c | e) for one embedding; <paramref name="scratch"/> holds at least <see cref="Dimensions"/> floats.</summary>
    public void Predict(ReadOnlySpan<float> embedding, Span<float> probabilities, Span<float> scratch)
    {
        var z = scratch[..Dimensions];
        TensorPrimitives.Subtract(embedding[..Dimensions], _mean, z);
        TensorPrimitives.Multiply(z, _scale, z);
        if (!float.IsFinite(TensorPrimitives.Sum(z)))
        {
            probabilities[..Labels.Length].Fill(1f / Labels.Length);
            return;
        }
        for (var c = 0; c < Labels.Length; c++) probabilities[c] = _bias[c] + TensorPrimitives.Dot(_weights.AsSpan(c * Dimensions, Dimensions), z);
        StableSoftMax(probabilities[..Labels.Length]);
    }

    // softmax(x) = softmax(x − max x): no exp overflows (TensorPrimitives.SoftMax does not shift)
    private static void StableSoftMax(Span<float> x)
    {
        TensorPrimitives.Subtract(x, TensorPrimitives.Max(x), x);
        TensorPrimitives.SoftMax(x, x);
    }

    /// <summary>A clip's mean of p(c | e) over its patches' embeddings (all zeros for none): what a clip's label reads.</summary>
    public float[] PredictMean(IReadOnlyList<float[]> embeddings)
    {
        var mean = new float[Labels.Length];
        if (embeddings.Count == 0) return mean;
        var p = new float[Labels.Length];
        var scratch = new float[Dimensions];
        foreach (var e in embeddings)
        {
            Predict(e, p, scratch);
            TensorPrimitives.Add(mean, p, mean);
        }
        TensorPrimitives.Multiply(mean, 1f / embeddings.Count, mean);
        return mean;
    }

    /// <summary>p ← (1 − β) p + β head, in place.</summary>
    public void Blend(Span<float> probabilities, ReadOnlySpan<float> head)
    {
        TensorPrimitives.Multiply(probabilities[..Labels.Length], (float)(1 - Beta), probabilities[..Labels.Length]);
        TensorPrimitives.MultiplyAdd(head[..Labels.Length], (float)Beta, probabilities[..Labels.Length], probabilities[..Labels.Length]);
    }

    /// <summary>Fits the head on (embedding, label index) rows.</summary>
    public static TaggerHead Train(IReadOnlyList<string> labels, IReadOnlyList<float[]> embeddings, IReadOnlyList<int> classes, double beta,
        int epochs = 300, double l2 = 1e-3, double rate = 0.01, Action<int, double>? progress = null)
    {
        int n = embeddings.Count, d = embeddings[0].Length, k = labels.Count;
        var mean = new float[d];
        var scale = new float[d];
        foreach (var e in embeddings) TensorPrimitives.Add(mean, e, mean);
        TensorPrimitives.Multiply(mean, 1f / n, mean);
        var square = new float[d];
        foreach (var e in embeddings)
        {
            TensorPrimitives.Subtract(e, mean, square);
            TensorPrimitives.MultiplyAdd(square, square, scale, scale);
        }
        for (var j = 0; j < d; j++) scale[j] = 1 / MathF.Sqrt(scale[j] / n + 1e-4f); // a near-constant value is not blown up
        var z = new float[n * d];
        for (var i = 0; i < n; i++)
        {
            TensorPrimitives.Subtract(embeddings[i], mean, z.AsSpan(i * d, d));
            TensorPrimitives.Multiply(z.AsSpan(i * d, d), scale, z.AsSpan(i * d, d));
        }
        var w = new float[k * d];
        var b = new float[k];
        var (mw, vw, mb, vb) = (new float[k * d], new float[k * d], new float[k], new float[k]);
        var gw = new float[k * d];
        var gb = new float[k];
        var p = new float[k];
        const float beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        for (var epoch = 1; epoch <= epochs; epoch++)
        {
            Array.Clear(gw);
            Array.Clear(gb);
            double loss = 0;
            for (var i = 0; i < n; i++)
            {
                var row = z.AsSpan(i * d, d);
                for (var c = 0; c < k; c++) p[c] = b[c] + TensorPrimitives.Dot(w.AsSpan(c * d, d), row);
                StableSoftMax(p);
                loss -= Math.Log(Math.Max(p[classes[i]], 1e-12)) / n;
                p[classes[i]] -= 1;
                for (var c = 0; c < k; c++)
                {
                    if (MathF.Abs(p[c]) < 1e-6f) continue;
                    TensorPrimitives.MultiplyAdd(row, p[c] / n, gw.AsSpan(c * d, d), gw.AsSpan(c * d, d));
                    gb[c] += p[c] / n;
                }
            }
            if (epoch % 50 == 0 || epoch == 1) progress?.Invoke(epoch, loss);
            TensorPrimitives.MultiplyAdd(w, (float)l2, gw, gw);
            var c1 = 1 - MathF.Pow(beta1, epoch);
            var c2 = 1 - MathF.Pow(beta2, epoch);
            Adam(w, gw, mw, vw);
            Adam(b, gb, mb, vb);
            void Adam(float[] x, float[] g, float[] m, float[] v)
            {
                for (var j = 0; j < x.Length; j++)
                {
                    m[j] = beta1 * m[j] + (1 - beta1) * g[j];
                    v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
                    x[j] -= (float)rate * (m[j] / c1) / (MathF.Sqrt(v[j] / c2) + epsilon);
                }
            }
        }
        return new TaggerHead(labels, mean, scale, w, b, beta);
    }

    /// <summary>The head shipped beside the binaries (trained with <c>anc train-tagger-head</c>).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Models", "tagger-head.bin");

    /// <summary><paramref name="path"/> ("none": no head), else the shipped head when it is there, else null.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<TaggerHead>> Shared = new(StringComparer.Ordinal);

    /// <summary>One instance per file for the whole process (it is immutable).</summary>
    public static TaggerHead LoadShared(string path) => Shared.GetOrAdd(Path.GetFullPath(path), p => new Lazy<TaggerHead>(() => Load(p))).Value;

    public static TaggerHead? LoadOptional(string? path) =>
        path == "none" ? null : !string.IsNullOrEmpty(path) ? Load(path) : File.Exists(DefaultPath) ? Load(DefaultPath) : null;

    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path), Encoding.UTF8);
        writer.Write(Magic);
        writer.Write(Beta);
        writer.Write(Labels.Length);
        foreach (var label in Labels) writer.Write(label);
        writer.Write(Dimensions);
        foreach (var array in new[] { _mean, _scale, _weights, _bias })
            foreach (var x in array) writer.Write(x);
    }

    public static TaggerHead Load(string path)
    {
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (reader.ReadString() != Magic) throw new InvalidDataException($"'{path}' is not a tagger head.");
            var beta = reader.ReadDouble();
            var labels = new string[reader.ReadInt32()];
            for (var i = 0; i < labels.Length; i++) labels[i] = reader.ReadString();
            var d = reader.ReadInt32();
            float[] Read(int count) { var a = new float[count]; for (var i = 0; i < count; i++) a[i] = reader.ReadSingle(); return a; }
            return new TaggerHead(labels, Read(d), Read(d), Read(labels.Length * d), Read(labels.Length), beta);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"'{path}' is truncated.", e);
        }
    }
}
