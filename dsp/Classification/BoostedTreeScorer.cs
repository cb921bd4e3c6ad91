using Microsoft.ML;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.LightGbm;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// The shipped feature model (ML.NET's LightGBM multiclass: one-versus-all, one boosted ensemble and one Platt
/// calibrator per class; Ke et al., NeurIPS 2017; Platt 1999) scored in-process from flat arrays:
/// <code>
///   f_c(x) = Σ_t leaf_t(x)                 the trees of class c; a node goes left when x[feature] ≤ threshold
///   q_c    = 1 / (1 + exp(a_c f_c + b_c))  the class's calibrator (a = −σ, b = 0 for LightGBM)
///   p_c    = q_c / Σ_k q_k                  ML.NET's one-versus-all probability normalisation
/// </code>
/// ML.NET's own scoring runs the classes in a <c>Parallel.For</c>, queues a replica to the thread pool per prediction,
/// and walks one tree at a time. Here the trees are walked four at a time (their branch-free steps interleave),
/// nothing is queued, and nothing is shared but read-only arrays, so any number of threads may score at once. It is
/// built only for a model of exactly that shape (<see cref="TryCreate"/>), and only kept when it gives ML.NET's
/// probabilities on probe vectors (within <see cref="Tolerance"/>); otherwise the model keeps ML.NET's engine.
/// Guards: the caller passes finite features of the model's length (<see cref="NoiseClassifierModel"/> checks).
/// Allocates the result array only.
/// </summary>
public sealed class BoostedTreeScorer
{
    /// <summary>The largest difference from ML.NET's probability accepted at load.</summary>
    public const float Tolerance = 1e-5f;
    private const int MaxClasses = 1_024;
    private readonly int[] _feature, _children; // per node; children[2n] ≤, children[2n+1] >; a leaf is ~index into _leaf
    private readonly float[] _threshold;
    private readonly double[] _leaf;
    private readonly int[] _root, _class;       // per tree
    private readonly double[] _slope, _offset;  // per class

    private BoostedTreeScorer(int[] feature, int[] children, float[] threshold, double[] leaf, int[] root, int[] @class, double[] slope, double[] offset) =>
        (_feature, _children, _threshold, _leaf, _root, _class, _slope, _offset) = (feature, children, threshold, leaf, root, @class, slope, offset);

    /// <summary>Classes scored.</summary>
    public int Classes => _slope.Length;

    /// <summary>Trees in all.</summary>
    public int Trees => _root.Length;

    /// <summary>
    /// The scorer of <paramref name="model"/> when it is a LightGBM one-versus-all model with Platt calibrators, or null.
    /// (ML.NET keeps the per-class models internal: they are read by reflection, then checked by <see cref="Agrees"/>.)
    /// </summary>
    public static BoostedTreeScorer? TryCreate(ITransformer model)
    {
        if (model is not IEnumerable<ITransformer> chain) return null; // a fitted chain is typed by its last step, a loaded one not
        var prediction = chain.OfType<MulticlassPredictionTransformer<OneVersusAllModelParameters>>().FirstOrDefault();
        if (prediction?.Model is not { } ova) return null;
        var property = ova.GetType().GetProperty("SubModelParameters", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        if (property?.GetValue(ova) is not System.Collections.IEnumerable subModels) return null;
        List<int> feature = [], children = [], root = [], @class = [];
        List<float> threshold = [];
        List<double> leaf = [], slope = [], offset = [];
        foreach (var sub in subModels)
        {
            if (sub is not CalibratedModelParametersBase<LightGbmBinaryModelParameters, PlattCalibrator> calibrated) return null;
            var ensemble = calibrated.SubModel.TrainedTreeEnsemble;
            if (ensemble.Bias != 0 || ensemble.TreeWeights.Any(w => w != 1)) return null;
            foreach (var tree in ensemble.Trees)
            {
                if (tree.CategoricalSplitFlags.Any(c => c)) return null;
                int nodes = feature.Count, leaves = leaf.Count;
                root.Add(tree.NumberOfNodes == 0 ? ~leaves : nodes);
                @class.Add(slope.Count);
                for (var n = 0; n < tree.NumberOfNodes; n++)
                {
                    feature.Add(tree.NumericalSplitFeatureIndexes[n]);
                    threshold.Add(tree.NumericalSplitThresholds[n]);
                    children.Add(Rebase(tree.LeftChild[n], nodes, leaves));
                    children.Add(Rebase(tree.RightChild[n], nodes, leaves));
                }
                leaf.AddRange(tree.LeafValues);
            }
            slope.Add(calibrated.Calibrator.Slope);
            offset.Add(calibrated.Calibrator.Offset);
        }
        if (slope.Count is 0 or > MaxClasses) return null; // the scores live on the stack
        return new([.. feature], [.. children], [.. threshold], [.. leaf], [.. root], [.. @class], [.. slope], [.. offset]);

        static int Rebase(int child, int nodes, int leaves) => child >= 0 ? nodes + child : ~(leaves + ~child);
    }

    /// <summary>
    /// Feature vectors that reach many leaves: each feature set at a threshold some tree splits it on, exactly or one
    /// float step either side (a sign or an off-by-one in the comparisons shows).
    /// </summary>
    public IEnumerable<float[]> Probes(int count, int length, int seed)
    {
        var random = new Random(seed);
        var byFeature = Enumerable.Range(0, length).Select(f => new List<float>()).ToArray();
        for (var n = 0; n < _feature.Length; n++)
            if (_feature[n] < length) byFeature[_feature[n]].Add(_threshold[n]);
        for (var i = 0; i < count; i++)
        {
            var x = new float[length];
            for (var f = 0; f < length; f++)
            {
                var at = byFeature[f].Count == 0 ? (float)random.NextDouble() : byFeature[f][random.Next(byFeature[f].Count)];
                x[f] = random.Next(3) switch { 0 => MathF.BitDecrement(at), 1 => at, _ => MathF.BitIncrement(at) };
            }
            yield return x;
        }
    }

    /// <summary>Whether this scorer gives <paramref name="reference"/>'s probabilities (within <see cref="Tolerance"/>) on <paramref name="probes"/>.</summary>
    public bool Agrees(IEnumerable<float[]> probes, Func<float[], float[]> reference)
    {
        foreach (var x in probes)
        {
            var expected = reference(x);
            var actual = Predict(x);
            if (expected.Length != actual.Length) return false;
            for (var c = 0; c < actual.Length; c++)
                if (!(Math.Abs(expected[c] - actual[c]) <= Tolerance)) return false;
        }
        return true;
    }

    /// <summary>Probabilities in the model's class order.</summary>
    public float[] Predict(ReadOnlySpan<float> x)
    {
        Span<double> score = stackalloc double[_slope.Length];
        score.Clear();
        var (feature, children, threshold) = (_feature, _children, _threshold);
        var t = 0;
        for (; t + 4 <= _root.Length; t += 4)
        {
            int a = _root[t], b = _root[t + 1], c = _root[t + 2], d = _root[t + 3];
            while ((a & b & c & d) >= 0) // all four still inside: one step of each, no branch on the comparisons
            {
                if (a >= 0) a = children[2 * a + (x[feature[a]] <= threshold[a] ? 0 : 1)];
                if (b >= 0) b = children[2 * b + (x[feature[b]] <= threshold[b] ? 0 : 1)];
                if (c >= 0) c = children[2 * c + (x[feature[c]] <= threshold[c] ? 0 : 1)];
                if (d >= 0) d = children[2 * d + (x[feature[d]] <= threshold[d] ? 0 : 1)];
            }
            a = Walk(a, x); b = Walk(b, x); c = Walk(c, x); d = Walk(d, x);
            score[_class[t]] += _leaf[~a];
            score[_class[t + 1]] += _leaf[~b];
            score[_class[t + 2]] += _leaf[~c];
            score[_class[t + 3]] += _leaf[~d];
        }
        for (; t < _root.Length; t++) score[_class[t]] += _leaf[~Walk(_root[t], x)];
        var p = new float[_slope.Length];
        double sum = 0;
        for (var k = 0; k < p.Length; k++)
        {
            p[k] = (float)(1 / (1 + Math.Exp(_slope[k] * score[k] + _offset[k])));
            sum += p[k];
        }
        if (sum > 0)
            for (var k = 0; k < p.Length; k++) p[k] = (float)(p[k] / sum);
        return p;
    }

    private int Walk(int node, ReadOnlySpan<float> x)
    {
        while (node >= 0) node = _children[2 * node + (x[_feature[node]] <= _threshold[node] ? 0 : 1)];
        return node;
    }
}
