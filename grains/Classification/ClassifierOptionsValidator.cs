using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// Checks <see cref="ClassifierOptions"/> at start-up; every message names the configuration key to fix. The
/// hysteresis bounds follow <see cref="Dsp.Classification.ProfileSelector"/>: probabilities and margins are in [0, 1],
/// and a smoothing factor of 1 would never move. <c>Classifier:Backend</c> and the SageMaker keys are checked by the
/// SageMaker backend's own validator.
/// </summary>
public sealed class ClassifierOptionsValidator : IValidateOptions<ClassifierOptions>
{
    private const string Prefix = ClassifierOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, ClassifierOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Skip;
        var errors = new List<string>();
        if (!File.Exists(options.ResolvedModelPath))
            errors.Add(string.IsNullOrEmpty(options.ModelPath)
                ? $"{Prefix}ModelPath is empty and the shipped model is missing at {options.ResolvedModelPath}; set it or run anc train-classifier."
                : $"{Prefix}ModelPath '{options.ModelPath}' does not exist.");
        if (!(options.Smoothing is >= 0 and < 1))
            errors.Add($"{Prefix}Smoothing must be at least 0 and less than 1, not {options.Smoothing}.");
        if (options.HoldWindows is < 1 or > 60)
            errors.Add($"{Prefix}HoldWindows must be between 1 and 60, not {options.HoldWindows}.");
        if (!(options.EnterConfidence is >= 0 and <= 1))
            errors.Add($"{Prefix}EnterConfidence must be between 0 and 1, not {options.EnterConfidence}.");
        if (!(options.SwitchMargin is >= 0 and <= 1))
            errors.Add($"{Prefix}SwitchMargin must be between 0 and 1, not {options.SwitchMargin}.");
        if (!(options.MinDwellSeconds is >= 0 and <= 3600))
            errors.Add($"{Prefix}MinDwellSeconds must be between 0 and 3600, not {options.MinDwellSeconds}.");
        if (!string.IsNullOrEmpty(options.TaggerPath))
        {
            if (!File.Exists(options.TaggerPath)) errors.Add($"{Prefix}TaggerPath '{options.TaggerPath}' does not exist.");
            else
                try
                {
                    Dsp.Classification.YamNet.LoadShared(options.TaggerPath);
                }
                catch (InvalidDataException e)
                {
                    errors.Add($"{Prefix}TaggerPath '{options.TaggerPath}' is not a YAMNet TensorFlow Lite file: {e.Message}");
                }
        }
        if (!(options.TaggerGate is >= 0 and <= 1))
            errors.Add($"{Prefix}TaggerGate must be between 0 and 1, not {options.TaggerGate}.");
        if (options.PredictTimeoutMs is < 1 or > 60_000)
            errors.Add($"{Prefix}PredictTimeoutMs must be between 1 and 60000, not {options.PredictTimeoutMs}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
