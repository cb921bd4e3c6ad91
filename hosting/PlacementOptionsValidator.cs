using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace AncOrleans.Hosting;

/// <summary>
/// Checks section <c>Placement</c> (Orleans' <see cref="ResourceOptimizedPlacementOptions"/>, the default placement)
/// at start-up with the configuration key in each message; Orleans' own check would name only the property.
/// Every weight and <c>LocalSiloPreferenceMargin</c> are percentages.
/// </summary>
public sealed class PlacementOptionsValidator : IValidateOptions<ResourceOptimizedPlacementOptions>
{
    public const string Section = "Placement";
    private const string Prefix = Section + ":";

    public ValidateOptionsResult Validate(string? name, ResourceOptimizedPlacementOptions options)
    {
        var errors = new List<string>();
        Percentage(nameof(options.CpuUsageWeight), options.CpuUsageWeight);
        Percentage(nameof(options.MemoryUsageWeight), options.MemoryUsageWeight);
        Percentage(nameof(options.AvailableMemoryWeight), options.AvailableMemoryWeight);
        Percentage(nameof(options.MaxAvailableMemoryWeight), options.MaxAvailableMemoryWeight);
        Percentage(nameof(options.ActivationCountWeight), options.ActivationCountWeight);
        Percentage(nameof(options.LocalSiloPreferenceMargin), options.LocalSiloPreferenceMargin);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Percentage(string key, int value)
        {
            if (value is < 0 or > 100)
                errors.Add($"{Prefix}{key} must be between 0 and 100, not {value}.");
        }
    }
}
