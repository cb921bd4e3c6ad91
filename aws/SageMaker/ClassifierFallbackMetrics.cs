using System.Diagnostics.Metrics;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Meter <c>AncOrleans</c>, counter <c>anc.classifier.fallbacks</c>: predictions answered by the fallback backend
/// because the primary failed, tagged <c>primary</c>, <c>fallback</c> and <c>error.type</c>.
/// </summary>
public sealed class ClassifierFallbackMetrics
{
    public const string MeterName = "AncOrleans";
    public const string FallbacksName = "anc.classifier.fallbacks";

    public ClassifierFallbackMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        Fallbacks = meter.CreateCounter<long>(FallbacksName, "{prediction}", "Predictions answered by the fallback classifier backend because the primary failed");
    }

    public Counter<long> Fallbacks { get; }
}
