using System.Net;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>Checks <see cref="MqttOptions"/> at start-up (unless MQTT is disabled); every message names the configuration key to fix.</summary>
public sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    private const string Prefix = MqttOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        if (!options.Enabled) return ValidateOptionsResult.Skip;
        var errors = new List<string>();
        if (options.EmbeddedBroker)
        {
            if (options.EmbeddedBrokerPort is < 1 or > IPEndPoint.MaxPort)
                errors.Add($"{Prefix}EmbeddedBrokerPort must be between 1 and 65535, not {options.EmbeddedBrokerPort}.");
            if (options.EmbeddedBrokerCertificatePath is { Length: > 0 } certificate)
            {
                if (!File.Exists(certificate))
                    errors.Add($"{Prefix}EmbeddedBrokerCertificatePath '{certificate}' does not exist (a PKCS#12 .pfx file).");
                if (options.EmbeddedBrokerTlsPort is < 1 or > IPEndPoint.MaxPort || options.EmbeddedBrokerTlsPort == options.EmbeddedBrokerPort)
                    errors.Add($"{Prefix}EmbeddedBrokerTlsPort must be between 1 and 65535 and differ from EmbeddedBrokerPort, not {options.EmbeddedBrokerTlsPort}.");
            }
            if (options.UseTls)
                errors.Add($"{Prefix}UseTls needs an external broker ({Prefix}EmbeddedBroker=false): the embedded broker speaks plain MQTT on loopback.");
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.Host))
                errors.Add($"{Prefix}Host must name the broker when {Prefix}EmbeddedBroker is false.");
            if (options.Port is < 1 or > IPEndPoint.MaxPort)
                errors.Add($"{Prefix}Port must be between 1 and 65535, not {options.Port}.");
        }
        // MQTT 3.1.1 lets brokers accept longer ids than 23 characters; AWS IoT Core takes up to 128.
        if (string.IsNullOrWhiteSpace(options.ClientId) || options.ClientId.Length > 128)
            errors.Add($"{Prefix}ClientId must be 1 to 128 characters, not '{options.ClientId}'.");
        if (!string.IsNullOrEmpty(options.ClientCertificatePath))
        {
            if (!options.UseTls)
                errors.Add($"{Prefix}ClientCertificatePath is set but {Prefix}UseTls is false; the certificate would not be used.");
            else if (!File.Exists(options.ClientCertificatePath))
                errors.Add($"{Prefix}ClientCertificatePath '{options.ClientCertificatePath}' does not exist.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
