using AncOrleans.Dsp.Classification;
using Microsoft.ML;

namespace AncOrleans.Acoustics.Training;

/// <summary>
/// Fits a <see cref="NoiseClassifierModel"/> (see its header for the two model families). Training lives here, beside
/// the training sets, so that no silo ships it; a silo only loads and runs the fitted model.
/// </summary>
public static class NoiseClassifierTrainer
{
    public enum Trainer { MaximumEntropy, LightGbm }

    public static NoiseClassifierModel Train(IReadOnlyList<LabelledFeatures> rows, int seed = 1, Trainer trainer = Trainer.MaximumEntropy, int rounds = 200)
    {
        var ml = new MLContext(seed);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => NoiseClassifierModel.Row(r.Label, r.Features)));
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label");
        ITransformer model = trainer switch
        {
            Trainer.LightGbm => keyed
                .Append(ml.MulticlassClassification.Trainers.LightGbm(new Microsoft.ML.Trainers.LightGbm.LightGbmMulticlassTrainer.Options
                {
                    NumberOfIterations = rounds,
                    NumberOfLeaves = 24,
                    MinimumExampleCountPerLeaf = 10,
                    LearningRate = 0.15,
                    Seed = seed,
                    NumberOfThreads = 2,
                    Booster = new Microsoft.ML.Trainers.LightGbm.GradientBooster.Options { FeatureFraction = 0.5, SubsampleFraction = 0.8, SubsampleFrequency = 1, L2Regularization = 1 },
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data),
            _ => keyed
                .Append(ml.Transforms.NormalizeMeanVariance("Features"))
                .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options
                {
                    L2Regularization = 0.01f,
                    L1Regularization = 0.001f,
                    MaximumNumberOfIterations = 300,
                    OptimizationTolerance = 1e-6f,
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(data),
        };
        return NoiseClassifierModel.FromFitted(ml, model, data.Schema);
    }
}
