using System.Net;
using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>Checks <see cref="OrleansOptions"/> at start-up; every message names the configuration key to fix.</summary>
public sealed class OrleansOptionsValidator : IValidateOptions<OrleansOptions>
{
    private const string Prefix = OrleansOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, OrleansOptions options)
    {
        var errors = new List<string>();
        if (options.SiloPort is < 1 or > IPEndPoint.MaxPort)
            errors.Add($"{Prefix}SiloPort must be between 1 and 65535, not {options.SiloPort}.");
        if (options.GatewayPort is < 1 or > IPEndPoint.MaxPort)
            errors.Add($"{Prefix}GatewayPort must be between 1 and 65535, not {options.GatewayPort}.");
        else if (options.GatewayPort == options.SiloPort)
            errors.Add($"{Prefix}GatewayPort must differ from {Prefix}SiloPort (both are {options.SiloPort}).");
        if (options.PrimarySiloPort is < 1 or > IPEndPoint.MaxPort)
            errors.Add($"{Prefix}PrimarySiloPort must be between 1 and 65535 when set, not {options.PrimarySiloPort}.");
        if (string.IsNullOrWhiteSpace(options.ClusterId))
            errors.Add($"{Prefix}ClusterId must not be empty.");
        if (string.IsNullOrWhiteSpace(options.ServiceId))
            errors.Add($"{Prefix}ServiceId must not be empty.");
        if (options.AdvertisedIPAddress is not null && !IPAddress.TryParse(options.AdvertisedIPAddress, out _))
            errors.Add($"{Prefix}AdvertisedIPAddress must be an IP address (e.g. 10.0.1.17), not '{options.AdvertisedIPAddress}'.");
        if (options.ShutdownTimeout < TimeSpan.FromSeconds(1) || options.ShutdownTimeout > TimeSpan.FromMinutes(2))
            errors.Add($"{Prefix}ShutdownTimeout must be between 00:00:01 and 00:02:00, not {options.ShutdownTimeout}.");
        if (!OrleansOptions.GrainDirectories.Contains(options.GrainDirectory, StringComparer.OrdinalIgnoreCase))
            errors.Add($"{Prefix}GrainDirectory must be one of {string.Join(", ", OrleansOptions.GrainDirectories)}, not '{options.GrainDirectory}'.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
