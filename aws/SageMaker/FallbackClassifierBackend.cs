using AncOrleans.Grains.Classification;
using Microsoft.Extensions.Logging;

namespace AncOrleans.Aws.SageMaker;

/// <summary>
/// Asks the primary backend (SageMaker) and, when it fails after its own retries, answers from the fallback (the
/// embedded model), counting each such answer on <c>anc.classifier.fallbacks</c>. The first failure is logged as a
/// warning, then at most one warning per <see cref="WarningInterval"/> carries the count of the failures in between
/// (the rest go to Debug), so an outage does not flood the log at one prediction per device per second. A caller's
/// cancellation is passed on, not answered from the fallback. <see cref="Name"/> is the primary's name.
/// </summary>
public sealed class FallbackClassifierBackend(INoiseClassifierBackend primary, INoiseClassifierBackend fallback,
    ClassifierFallbackMetrics metrics, ILogger<FallbackClassifierBackend> logger, TimeProvider? time = null) : INoiseClassifierBackend
{
    public static readonly TimeSpan WarningInterval = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private DateTimeOffset _nextWarning = DateTimeOffset.MinValue;
    private long _unreported;

    public string Name => primary.Name;

    public INoiseClassifierBackend Primary => primary;

    public INoiseClassifierBackend Fallback => fallback;

    public Task<IReadOnlyDictionary<string, float>> PredictAsync(float[] features, CancellationToken cancellationToken) =>
        PredictAsync(backend => backend.PredictAsync(features, cancellationToken), cancellationToken);

    /// <summary>The fallback gets the whole window: with the embedded model's probabilities forwarded, it answers from them.</summary>
    public Task<IReadOnlyDictionary<string, float>> PredictAsync(AncOrleans.Abstractions.ClassifierWindow window, CancellationToken cancellationToken) =>
        PredictAsync(backend => backend.PredictAsync(window, cancellationToken), cancellationToken);

    private async Task<IReadOnlyDictionary<string, float>> PredictAsync(Func<INoiseClassifierBackend, Task<IReadOnlyDictionary<string, float>>> predict,
        CancellationToken cancellationToken)
    {
        try
        {
            return await predict(primary);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var errorType = e is SageMakerInvocationException invocation ? invocation.ErrorType : e.GetType().Name;
            metrics.Fallbacks.Add(1, new("primary", primary.Name), new("fallback", fallback.Name), new("error.type", errorType));
            Report(e, errorType);
            return await predict(fallback);
        }
    }

    private void Report(Exception e, string errorType)
    {
        long since;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            if (now < _nextWarning)
            {
                _unreported++;
                since = -1;
            }
            else
            {
                _nextWarning = now + WarningInterval;
                since = _unreported;
                _unreported = 0;
            }
        }
        if (since < 0)
            logger.LogDebug(e, "Classifier backend {Primary} failed ({ErrorType}); answered by {Fallback}", primary.Name, errorType, fallback.Name);
        else
            logger.LogWarning(e, "Classifier backend {Primary} failed ({ErrorType}); answered by {Fallback} ({Unreported} earlier fallbacks not logged as warnings)",
                primary.Name, errorType, fallback.Name, since);
    }
}
