using Microsoft.ML;
using Microsoft.ML.Data;

namespace AncOrleans.Dsp.Classification;

/// <summary>
/// The embedded model: multinomial logistic regression (maximum entropy, L-BFGS; Andrew &amp; Gao, "Scalable
/// training of L1-regularized log-linear models", ICML 2007) over z-scored <see cref="NoiseFeatures"/>,
/// run with ML.NET (trained by acoustics/Training/NoiseClassifierTrainer.cs). p(c | x) = softmax_c(w_cᵀ x̃ + b_c). Small (≈ 60 × 137 weights) and fast
/// enough to run once a second for every session.
/// Or (LightGBM, the shipped one since issue 12) gradient-boosted trees (Ke et al.,
/// "LightGBM: a highly efficient gradient boosting decision tree", NeurIPS 2017), as ML.NET keeps it: one versus
/// all, per class c an ensemble f_c (one small tree per round) and a Platt calibrator, q_c = 1 / (1 + exp(a_c f_c(x) + b_c)),
/// then p(c | x) = q_c / Σ_k q_k; trees need no scaling and fit the non-linear boundaries real recordings have. Its trees are scored in-process (<see cref="BoostedTreeScorer"/>, checked
/// against ML.NET's engine at load; ML.NET's engine scores any other model). Guards: the input must have <see cref="NoiseFeatures.Length"/>
/// finite numbers.
/// With a <see cref="LogMelCnn"/> beside it (<c>&lt;name&gt;.cnn</c> next to <c>&lt;name&gt;.zip</c>, loaded with it; the
/// shipped one since issue 12), <see cref="Predict(float[], ReadOnlySpan{float})"/> is
/// p = β p_CNN(patch) + (1 − β) p_features(x), β the file's blend chosen by cross-validation; at β = 1 the feature
/// model is not asked at all.
/// </summary>
public sealed class NoiseClassifierModel
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly DataViewSchema _inputSchema;
    // ML.NET's engines are not thread-safe: each prediction takes one (a new one when all are in use) and gives it back.
    // Not one engine under a lock: a thread holding it inside ML.NET's Parallel.For waits for a replica queued to the
    // thread pool, and pool threads waiting for the lock cannot run it (EnginePredict).
    private readonly System.Collections.Concurrent.ConcurrentBag<PredictionEngine<FeatureRow, ScoreRow>> _engines = [];
    private readonly string[] _labels;
    private readonly Lock _lock = new();
    private readonly BoostedTreeScorer? _trees;
    private LogMelCnn? _cnn;
    private int[] _cnnToLabel = [];
    private float[] _cnnProbabilities = [];

    private NoiseClassifierModel(MLContext ml, ITransformer model, DataViewSchema inputSchema)
    {
        _ml = ml;
        _model = model;
        _inputSchema = inputSchema;
        var engine = ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(model, inputSchema: inputSchema);
        VBuffer<ReadOnlyMemory<char>> names = default;
        engine.OutputSchema["Score"].GetSlotNames(ref names);
        _engines.Add(engine);
        _labels = names.DenseValues().Select(n => n.ToString()).ToArray();
        var trees = BoostedTreeScorer.TryCreate(model);
        if (trees is not null && trees.Classes == _labels.Length && trees.Agrees(trees.Probes(64, NoiseFeatures.Length, seed: 1), EnginePredict))
            _trees = trees;
    }

    /// <summary>The in-process scorer of the feature model's trees, or null when ML.NET's engine scores it (<see cref="BoostedTreeScorer"/>).</summary>
    public BoostedTreeScorer? Trees => _trees;

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
        NoiseClassifierModel result;
        using (var stream = File.OpenRead(path))
        {
            var model = ml.Model.Load(stream, out var schema);
            result = new NoiseClassifierModel(ml, model, schema);
        }
        var cnn = CnnPath(path);
        if (File.Exists(cnn)) result.Attach(LogMelCnn.Load(cnn));
        return result;
    }

    /// <summary>Where the CNN of the model at <paramref name="path"/> lives: beside it, <c>.cnn</c> for <c>.zip</c>.</summary>
    public static string CnnPath(string path) => Path.ChangeExtension(path, ".cnn");

    /// <summary>The CNN this model blends in, or null (features only).</summary>
    public LogMelCnn? Cnn => _cnn;

    /// <summary>Blends <paramref name="cnn"/> in (its labels mapped onto <see cref="Labels"/> by name; unknown ones dropped).</summary>
    public void Attach(LogMelCnn? cnn)
    {
        lock (_lock)
        {
            _cnn = cnn;
            _cnnToLabel = cnn is null ? [] : cnn.Labels.Select(l => Array.IndexOf(_labels, l)).ToArray();
            _cnnProbabilities = cnn is null ? [] : new float[cnn.Labels.Count];
        }
    }

    /// <summary>
    /// Probabilities in <see cref="Labels"/> order from a window's features and its log-mel patch (<see cref="NoiseFeatures.Patch"/>):
    /// the blend of the CNN and the feature model, or the feature model alone when no CNN is attached.
    /// </summary>
    public float[] Predict(float[] features, ReadOnlySpan<float> patch)
    {
        if (_cnn is null) return Predict(features);
        var blend = _cnn.Blend;
        var result = blend < 1 ? Predict(features) : new float[_labels.Length];
        if (blend < 1) System.Numerics.Tensors.TensorPrimitives.Multiply(result, 1 - blend, result);
        lock (_lock)
        {
            _cnn.Predict(patch, _cnnProbabilities);
            for (var i = 0; i < _cnnToLabel.Length; i++)
                if (_cnnToLabel[i] >= 0) result[_cnnToLabel[i]] += blend * _cnnProbabilities[i];
        }
        return result;
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
        if (_trees is not null) return _trees.Predict(features);
        return EnginePredict(features);
    }

    /// <summary>ML.NET's engine itself (the model's own scoring; a test compares <see cref="Trees"/> with it).</summary>
    internal float[] EnginePredict(float[] features)
    {
        // ML.NET's Parallel.For still waits on a replica it queues to the thread pool, even under SerialTaskScheduler (its
        // iterations run here). A pool thread can run that replica itself; a dedicated thread (a CLI's main thread, a
        // worker of one's own) cannot, and when the pool's threads all waited for the one engine's lock, which that
        // thread held, nothing ran it until the pool grew: seconds with every session stalled (found 2026-12-01 with
        // recognition tried on dedicated threads). So a caller off the pool predicts on the pool, and no caller waits
        // for another's engine.
        if (!Thread.CurrentThread.IsThreadPoolThread) return Task.Run(() => EnginePredict(features)).GetAwaiter().GetResult();
        // On this thread only: the model's own Parallel.For would spread each prediction over the thread pool
        // (SerialTaskScheduler). No lock: callers at once use engines of their own (_engines), so no pool thread waits
        // for one that waits for the pool.
        var engine = _engines.TryTake(out var kept) ? kept : _ml.Model.CreatePredictionEngine<FeatureRow, ScoreRow>(_model, inputSchema: _inputSchema);
        try
        {
            return SerialTaskScheduler.Run(() => engine.Predict(new FeatureRow { Label = "", Features = features }).Score.ToArray());
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    public IReadOnlyDictionary<string, float> PredictLabels(float[] features)
    {
        var scores = Predict(features);
        var result = new Dictionary<string, float>(_labels.Length);
        for (var i = 0; i < _labels.Length; i++) result[_labels[i]] = scores[i];
        return result;
    }

    /// <summary>Probabilities per label from features and the log-mel patch (<see cref="Predict(float[], ReadOnlySpan{float})"/>).</summary>
    public IReadOnlyDictionary<string, float> PredictLabels(float[] features, ReadOnlySpan<float> patch)
    {
        var scores = Predict(features, patch);
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
