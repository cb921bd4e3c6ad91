using System.Diagnostics;

namespace AncOrleans.Grains;

/// <summary>
/// The grains' own spans (classification, emergency detection, alerts), beside Orleans' grain-call spans. Nothing is
/// recorded unless a tracer listens (hosting's <c>AddAncTracing</c>); docs/observability.md, "Traces".
/// </summary>
public static class GrainTracing
{
    public const string SourceName = "AncOrleans.Grains";

    public static readonly ActivitySource Source = new(SourceName);
}
