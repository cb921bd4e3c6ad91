using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions;
using AncOrleans.Dsp.Classification;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace AncOrleans.Grains.Classification;

/// <summary>
/// Names one session's noise. Implicitly subscribed to the session's feature stream (as is the
/// <see cref="Emergency.EmergencyGrain"/>): it turns the reference mic into <see cref="NoiseFeatures"/> once a
/// second, asks the configured <see cref="INoiseClassifierBackend"/>, and passes the verdict through the
/// <see cref="ProfileSelector"/>'s hysteresis; a changed verdict goes to the session (event, and the profile to
/// apply). A failing backend costs that window's verdict, never the audio.
/// Latency: one window (≈ 1 s) + the stream's 20 ms poll + the backend; a profile change needs
/// <c>HoldWindows</c> windows of agreement on top — by design, the classifier is deliberate, not fast.
/// </summary>
[ImplicitStreamSubscription(FrameFeatures.StreamNamespace)]
internal sealed class ClassifierGrain(
    IOptions<SessionGrainOptions> sessionOptions,
    IOptions<ClassifierOptions> options,
    INoiseClassifierBackend backend,
    ILogger<ClassifierGrain> logger) : Grain, IGrainWithStringKey
{
    private NoiseFeatures? _features;
    private ProfileSelector? _selector;
    private double _seconds;
    private readonly List<float[]> _windows = [];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(sessionOptions.Value.StreamProvider)
            .GetStream<FrameFeatures>(StreamId.Create(FrameFeatures.StreamNamespace, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync(OnFrameAsync);
        _selector = new ProfileSelector(options.Value.Selector);
        await base.OnActivateAsync(cancellationToken);
    }

    private async Task OnFrameAsync(FrameFeatures frame, StreamSequenceToken? token)
    {
        if (!options.Value.Enabled || frame.ReferencePcm16.Length == 0) return;
        if (_features is null || _features.InputRate != frame.SampleRate)
            _features = new NoiseFeatures(frame.SampleRate);
        var pcm = FrameCodec.DecodeMono(frame.ReferencePcm16, SampleFormat.Int16);
        _seconds += (double)pcm.Length / frame.SampleRate;
        _features.Push(pcm, _windows.Add);
        foreach (var window in _windows) await ClassifyAsync(window);
        _windows.Clear();
    }

    private async Task ClassifyAsync(float[] window)
    {
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
        var update = selector.Update(probabilities, _seconds);
        if (!update.Any) return;
        var label = selector.Label ?? "unclassified"; // the profile can be clear before any one class is
        var profile = (selector.Profile ?? NoiseTaxonomy.Get(label).Profile).Name;
        var verdict = new NoiseClassification(this.GetPrimaryKeyString(), label, selector.Confidence, profile,
            update.ProfileChanged, _seconds, backend.Name);
        await GrainFactory.GetGrain<ISessionGrain>(this.GetPrimaryKeyString()).ClassifyAsync(verdict);
    }
}
