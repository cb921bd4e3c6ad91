using System.Diagnostics;

namespace AncOrleans.Gateway;

/// <summary>
/// The gateway's spans on the frame path (docs/observability.md, "Traces"): <c>anc.frame</c> from the frame's receipt
/// (WebSocket or MQTT) to its reply being queued, parent of Orleans' grain-call span (activity propagation) and of
/// <c>anc.frame.reply</c>. Recorded only when a tracer listens and the trace is sampled; otherwise
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null and nothing is allocated.
/// </summary>
public static class GatewayTracing
{
    public const string SourceName = "AncOrleans.Gateway";

    public static readonly ActivitySource Source = new(SourceName);
}
