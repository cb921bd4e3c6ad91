using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions;
using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// Names one session's noise. Fed by the session's <see cref="Emergency.EmergencyGrain"/> with one
/// <see cref="ClassifierWindow"/> per ≈ 1 s window: the window's <see cref="NoiseFeatures"/> and the embedded model's
/// probabilities, which that grain computes for its own fused decision (issue 13: one recognition pass per session;
/// this grain computes no features and, with the embedded backend, runs no model). It asks the configured
/// <see cref="INoiseClassifierBackend"/> (embedded: the forwarded probabilities; SageMaker: the forwarded features,
/// falling back to the forwarded probabilities), and passes the verdict through the <see cref="ProfileSelector"/>'s
/// hysteresis; a changed verdict goes to the session (event, and the profile to apply). A failing backend costs that
/// window's verdict, never the audio. With <c>Classifier:Enabled</c> false nothing is sent here.
/// Latency: one window (≈ 1 s) + up to one batch (100 ms) + two grain calls + the backend; a profile change needs
/// <c>HoldWindows</c> windows of agreement on top — by design, the classifier is deliberate, not fast.
/// </summary>
internal sealed class ClassifierGrain(
    IOptions<ClassifierOptions> options,
    INoiseClassifierBackend backend,
    ILogger<ClassifierGrain> logger) : Grain, IClassifierGrain
{
    private ProfileSelector? _selector;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _selector = new ProfileSelector(options.Value.Selector);
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task PushAsync(ClassifierWindow window)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!options.Value.Enabled) return;
        if (window.Features.Length != NoiseFeatures.Length)
        {
            logger.LogWarning("Session {Session}: a classifier window with {Count} features (expected {Expected}) skipped", this.GetPrimaryKeyString(), window.Features.Length, NoiseFeatures.Length);
            return;
        }
        await ClassifyAsync(window);
    }

    public Task<ClassScore[]> GetTopClassesAsync(int count) =>
        Task.FromResult(_selector is null ? [] : _selector.Top(Math.Clamp(count, 0, 61)).Select(c => new ClassScore(c.Label, (float)c.Probability)).ToArray());

    private async Task ClassifyAsync(ClassifierWindow window)
    {
        using var span = GrainTracing.Source.StartActivity("anc.classify");
        span?.SetTag("anc.session", this.GetPrimaryKeyString());
        span?.SetTag("anc.classifier.backend", backend.Name);
        IReadOnlyDictionary<string, float> probabilities;
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.PredictTimeoutMs);
            probabilities = await backend.PredictAsync(window, timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Session {Session}: the {Backend} classifier failed; window skipped", this.GetPrimaryKeyString(), backend.Name);
            return;
        }
        var selector = _selector!;
        var update = selector.Update(probabilities, window.Seconds);
        span?.SetTag("anc.noise.label", selector.Label);
        if (!update.Any) return;
        var label = selector.Label ?? "unclassified"; // the profile can be clear before any one class is
        var profile = (selector.Profile ?? NoiseTaxonomy.Get(label).Profile).Name;
        var verdict = new NoiseClassification(this.GetPrimaryKeyString(), label, selector.Confidence, profile,
            update.ProfileChanged, window.Seconds, backend.Name);
        await GrainFactory.GetGrain<ISessionGrain>(this.GetPrimaryKeyString()).ClassifyAsync(verdict);
    }
}
