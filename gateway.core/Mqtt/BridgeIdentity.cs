using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace AncOrleans.Gateway.Mqtt;

/// <summary>
/// Who the bridge is on the broker. On the embedded broker: user <see cref="EmbeddedUsername"/> (a '$' cannot start a
/// device id) with a random password made at start-up and known only to this process, and the client id
/// <c>Mqtt:ClientId</c>, which no device may take. On an external broker: <c>Mqtt:Username</c>/<c>Mqtt:Password</c>.
/// </summary>
public sealed class BridgeIdentity(IOptions<MqttOptions> options)
{
    public const string EmbeddedUsername = "$anc-bridge";

    private readonly string _embeddedPassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string ClientId => options.Value.ClientId;

    public string? Username => options.Value.EmbeddedBroker ? EmbeddedUsername : options.Value.Username;

    public string? Password => options.Value.EmbeddedBroker ? _embeddedPassword : options.Value.Password;

    /// <summary>Whether a connecting client is the bridge (fixed-time password check).</summary>
    public bool IsBridge(string? clientId, string? username, string? password) =>
        clientId == ClientId && username == EmbeddedUsername && Security.Keys.Matches(password, _embeddedPassword);
}
