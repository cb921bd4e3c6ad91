using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Live;

/// <summary>Checks <see cref="LiveOptions"/> at start-up; every message names the key to fix.</summary>
public sealed class LiveOptionsValidator : IValidateOptions<LiveOptions>
{
    private const string Prefix = LiveOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, LiveOptions options)
    {
        var errors = new List<string>();
        if (options.UpdateIntervalMs is < 200 or > 60_000)
            errors.Add($"{Prefix}UpdateIntervalMs must be between 200 (5 updates per second) and 60000, not {options.UpdateIntervalMs}.");
        if (options.MaxListRows is < 1 or > 500)
            errors.Add($"{Prefix}MaxListRows must be between 1 and 500, not {options.MaxListRows}.");
        if (options.TicketSeconds is < 5 or > 600)
            errors.Add($"{Prefix}TicketSeconds must be between 5 and 600, not {options.TicketSeconds}.");
        if (options.MaxViewers is < 1 or > 10_000)
            errors.Add($"{Prefix}MaxViewers must be between 1 and 10000, not {options.MaxViewers}.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
