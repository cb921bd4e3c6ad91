using System.Text.Json.Serialization;

namespace AncOrleans.Abstractions;

/// <summary>Where a session's canceller stands. JSON spells each as the protocol always has (e.g. <c>backed-off</c>).</summary>
[GenerateSerializer]
[JsonConverter(typeof(JsonStringEnumConverter<ConvergenceState>))]
public enum ConvergenceState
{
    /// <summary>No configuration yet (no <c>start</c>, no <c>PUT …/config</c>).</summary>
    [JsonStringEnumMemberName("unconfigured")] Unconfigured,

    /// <summary>Adapting: the short-term reduction still moves by 1 dB or more per quarter second.</summary>
    [JsonStringEnumMemberName("converging")] Converging,

    /// <summary>The short-term reduction has settled.</summary>
    [JsonStringEnumMemberName("converged")] Converged,

    /// <summary>Nothing predictable to cancel: the no-harm guard has faded the output out.</summary>
    [JsonStringEnumMemberName("backed-off")] BackedOff,

    /// <summary>An emergency sound: the anti-noise is faded out so the user hears it.</summary>
    [JsonStringEnumMemberName("passthrough")] Passthrough,
}
