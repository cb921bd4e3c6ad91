using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions;
using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// Names one session's noise. Fed by the session with <see cref="FeatureBatch"/>es (as is the
/// <see cref="Emergency.EmergencyGrain"/>): it turns the reference mic into <see cref="NoiseFeatures"/> once a
/// second, asks the configured <see cref="INoiseClassifierBackend"/>, and passes the verdict through the
/// <see cref="ProfileSelector"/>'s hysteresis; a changed verdict goes to the session (event, and the profile to
/// apply). A failing backend costs that window's verdict, never the audio.
/// Latency: one window (≈ 1 s) + up to one batch (100 ms) + the backend; a profile change needs
/// <c>HoldWindows</c> windows of agreement on top — by design, the classifier is deliberate, not fast.
/// </summary>
internal sealed class ClassifierGrain(
    IOptions<ClassifierOptions> options,
    INoiseClassifierBackend backend,
    ILogger<ClassifierGrain> logger) : Grain, IClassifierGrain
{
    private NoiseFeatures? _features;
    private ProfileSelector? _selector;
    private double _seconds;
    private readonly ClassifierWindows _windows = new();
    private float[] _samples = [];

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _selector = new ProfileSelector(options.Value.Selector);
        return base.OnActivateAsync(cancellationToken);
    }

    public async Task PushAsync(FeatureBatch batch)
    {
        if (!options.Value.Enabled || batch.ReferencePcm16.Length == 0 || batch.SampleRate <= 0) return;
        if (_features is null || _features.InputRate != batch.SampleRate)
            _features = new NoiseFeatures(batch.SampleRate);
        var count = batch.SampleCount;
        if (_samples.Length < count) _samples = new float[count];
        var pcm = _samples.AsSpan(0, count);
        FrameCodec.DecodePcm16(batch.ReferencePcm16, pcm);
        _seconds += (double)count / batch.SampleRate;
        _windows.Push(_features, pcm);
        for (var w = 0; w < _windows.Count; w++) await ClassifyAsync(_windows.Window(w), _windows.Patch(w));
    }

    public Task<ClassScore[]> GetTopClassesAsync(int count) =>
        Task.FromResult(_selector is null ? [] : _selector.Top(Math.Clamp(count, 0, 61)).Select(c => new ClassScore(c.Label, (float)c.Probability)).ToArray());

    private async Task ClassifyAsync(float[] window, float[] patch)
    {
        using var span = GrainTracing.Source.StartActivity("anc.classify");
        span?.SetTag("anc.session", this.GetPrimaryKeyString());
        span?.SetTag("anc.classifier.backend", backend.Name);
        IReadOnlyDictionary<string, float> probabilities;
        try
        {
            using var timeout = new CancellationTokenSource(options.Value.PredictTimeoutMs);
            probabilities = await backend.PredictAsync(window, patch, timeout.Token);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Session {Session}: the {Backend} classifier failed; window skipped", this.GetPrimaryKeyString(), backend.Name);
            return;
        }
        var selector = _selector!;
        var update = selector.Update(probabilities, _seconds);
        span?.SetTag("anc.noise.label", selector.Label);
        if (!update.Any) return;
        var label = selector.Label ?? "unclassified"; // the profile can be clear before any one class is
        var profile = (selector.Profile ?? NoiseTaxonomy.Get(label).Profile).Name;
        var verdict = new NoiseClassification(this.GetPrimaryKeyString(), label, selector.Confidence, profile,
            update.ProfileChanged, _seconds, backend.Name);
        await GrainFactory.GetGrain<ISessionGrain>(this.GetPrimaryKeyString()).ClassifyAsync(verdict);
    }
}
