using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Emergency;

/// <summary>Checks <see cref="RecognitionOptions"/> at start-up; every message names the configuration key to fix.</summary>
public sealed class RecognitionOptionsValidator : IValidateOptions<RecognitionOptions>
{
    private const string Prefix = RecognitionOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, RecognitionOptions options)
    {
        var errors = new List<string>();
        if (options.Nice is < 0 or > 19)
            errors.Add($"{Prefix}Nice must be between 0 (off: recognition in the grains' turns) and 19, not {options.Nice}.");
        if (options.MaxDeferMs is < 1 or > 1000)
            errors.Add($"{Prefix}MaxDeferMs must be between 1 and 1000, not {options.MaxDeferMs}: it adds to an alert's latency when the cores are full.");
        if (options.Threads is < 0 or > 64)
            errors.Add($"{Prefix}Threads must be between 0 (one per core) and 64, not {options.Threads}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
