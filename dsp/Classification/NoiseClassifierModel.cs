using Microsoft.ML;
using Microsoft.ML.Data;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// The embedded model: multinomial logistic regression (maximum entropy, L-BFGS; Andrew &amp; Gao, "Scalable
/// training of L1-regularized log-linear models", ICML 2007) over z-scored <see cref="NoiseFeatures"/>,
/// run with ML.NET (trained by acoustics/Training/NoiseClassifierTrainer.cs). p(c | x) = softmax_c(w_cᵀ x̃ + b_c). Small (≈ 60 × 137 weights) and fast
/// enough to run once a second for every session.
/// Or (LightGBM, the shipped one since issue 12) gradient-boosted trees (Ke et al.,
/// "LightGBM: a highly efficient gradient boosting decision tree", NeurIPS 2017), multiclass softmax:
/// p(c | x) = softmax_c(Σ_i f_{c,i}(x)), one small tree per class per round; trees need no scaling and fit the
/// non-linear boundaries real recordings have. Guards: the input must have <see cref="NoiseFeatures.Length"/>
/// finite numbers.
/// </summary>
public sealed class NoiseClassifierModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly PredictionEngine<FeatureRow, ScoreRow> _engine; // not thread-safe: guarded by the lock
    private readonly string[] _labels;
    private readonly Lock _lock = new();

    private NoiseClassifierModel(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        _ml = ml;
        _model = model;
        _engine = ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model, inputSchema: inputSchema);
        VBuffer<ReadOnlyMemory<char>> names = default;
        _engine.OutputSchema["Score"].GetSlotNames(ref names);
        _labels = names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>The shipped model, <c>Models/noise-classifier.zip</c> beside the binaries.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Models", "noise-classifier.zip");

    /// <summary>Labels in score order.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>A model fitted by the trainer (acoustics/Training/NoiseClassifierTrainer.cs); training is no part of a silo.</summary>
    internal static NoiseClassifierModel FromFitted(MLContext ml, ITransformer model, DataViewSchema inputSchema) => new(ml, model, inputSchema);

    /// <summary>A feature row as ML.NET reads it (training and prediction share it).</summary>
    internal static FeatureRow Row(string label, float[] features) => new() { Label = label, Features = features };

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<NoiseClassifierModel>> SharedModels = new();

    /// <summary>One instance per path for the whole process (prediction is thread-safe).</summary>
    public static NoiseClassifierModel LoadShared(string path) =>
        SharedModels.GetOrAdd(Path.GetFullPath(path), p => new Lazy<NoiseClassifierModel>(() => Load(p))).Value;

    public static NoiseClassifierModel Load(string path)
    {
        var ml = new MLContext(1);
        using var stream = File.OpenRead(path);
        var model = ml.Model.Load(stream, out var schema);
        return new NoiseClassifierModel(ml, model, schema);
    }

    public void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        var schema = _ml.Data.LoadFromEnumerable(Array.Empty<FeatureRow>()).Schema;
        _ml.Model.Save(_model, schema, path);
    }

    /// <summary>Probabilities in <see cref="Labels"/> order.</summary>
    public float[] Predict(float[] features)
    {
        if (features.Length != NoiseFeatures.Length)
            throw new ArgumentException($"expected {NoiseFeatures.Length} features, got {features.Length}.");
        foreach (var value in features)
            if (!float.IsFinite(value)) throw new ArgumentException("features contain a non-finite value.");
        lock (_lock)
            return _engine.Predict(new FeatureRow { Label = "", Features = features }).Score.ToArray();
    }

    public IReadOnlyDictionary<string, float> PredictLabels(float[] features)
    {
        var scores = Predict(features);
        var result = new Dictionary<string, float>(_labels.Length);
        for (var i = 0; i < _labels.Length; i++) result[_labels[i]] = scores[i];
        return result;
    }

    public string PredictLabel(float[] features) => PredictTop(features).Label;

    /// <summary>The most probable label and its probability.</summary>
    public (string Label, float Probability) PredictTop(float[] features)
    {
        var scores = Predict(features);
        var best = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(scores);
        return (_labels[best], scores[best]);
    }

    internal sealed class FeatureRow
    {
        public string Label { get; set; } = "";

        [VectorType(NoiseFeatures.Length)]
        public float[] Features { get; set; } = [];
    }

    private sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
