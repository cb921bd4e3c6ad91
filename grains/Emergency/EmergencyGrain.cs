using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Classification;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Emergency;

/// <summary>
/// Runs the emergency decision on one session's reference mic, fed by the session with <see cref="FeatureBatch"/>es
/// (≥ 100 ms each): the <see cref="FusedEmergencyDetector"/> (the DSP patterns fused with the embedded classifier's
/// emergency probability, docs/emergency.md), or with the classifier disabled or its model missing the patterns alone
/// (<see cref="EmergencyDetector"/>), as <see cref="EmergencyDetectors"/> chooses. A detection raises an alert on the session (passthrough + event); its absence
/// for <see cref="EmergencyDetector.ReleaseSeconds"/> clears it. While a detection lasts it is re-asserted every
/// <see cref="ReassertSeconds"/> of audio: the session treats that as a confirmation (no new alert), and a session
/// restored after a failover with an alert in force keeps its passthrough because of it (docs/reliability.md).
/// Latency: the detector's own (sirens ≈ 1 s, T3 ≤ one cycle) plus up to one batch (100 ms) plus one grain call.
/// Keeps no audio beyond the detector's own analysis windows.
/// The session's one recognition pass (issue 13): with the classifier enabled, each classifier window the detector
/// computes (its features and the embedded model's probabilities) is forwarded to the session's
/// <see cref="Classification.ClassifierGrain"/> as a <see cref="ClassifierWindow"/>, through a publisher of its own:
/// queued here and sent after this call, so the detection never waits for the classifier (which calls the session).
/// </summary>
internal sealed class EmergencyGrain(IOptions<ClassifierOptions> classifier, ILogger<EmergencyGrain> logger) : Grain, IEmergencyGrain
{
    /// <summary>Seconds of audio between re-assertions of a detection in force.</summary>
    public const double ReassertSeconds = 2;

    private readonly List<EmergencyAlert> _alerts = [];
    private readonly List<string> _inForce = [];
    private double _reassertedAt;
    private IEmergencyDetector? _detector;
    private int _sampleRate;
    private double _seconds;
    private float[] _samples = [];
    private readonly List<(float[] Features, float[]? Probabilities)> _windows = [];
    private string[]? _labels;
    private FeaturePublisher<ClassifierWindow>? _classifier;

    public async Task PushAsync(FeatureBatch batch)
    {
        if (batch.SampleRate <= 0 || batch.ReferencePcm16.Length == 0) return;
        if (_detector is null || batch.SampleRate != _sampleRate) Build(batch.SampleRate);
        var count = batch.SampleCount;
        if (_samples.Length < count) _samples = AncOrleans.Dsp.SessionArray.Of<float>(count); // lives as long as the grain
        var samples = _samples.AsSpan(0, count);
        FrameCodec.DecodePcm16(batch.ReferencePcm16, samples);
        _seconds += (double)samples.Length / _sampleRate;
        _detector!.Push(samples);
        if (_windows.Count > 0) Forward();
        if (_inForce.Count > 0 && _seconds - _reassertedAt >= ReassertSeconds)
        {
            _reassertedAt = _seconds;
            foreach (var kind in _inForce) _alerts.Add(new EmergencyAlert(this.GetPrimaryKeyString(), kind, DateTime.UtcNow, _seconds, true));
        }
        if (_alerts.Count > 0)
        {
            var session = GrainFactory.GetGrain<ISessionGrain>(this.GetPrimaryKeyString());
            foreach (var alert in _alerts)
            {
                using var span = GrainTracing.Source.StartActivity("anc.alert");
                span?.SetTag("anc.session", alert.SessionId);
                span?.SetTag("anc.alert.kind", alert.Kind);
                span?.SetTag("anc.alert.active", alert.Active);
                await session.RaiseAlertAsync(alert);
            }
            _alerts.Clear();
        }
    }

    public Task PrepareAsync(int sampleRate)
    {
        if (sampleRate > 0 && (_detector is null || sampleRate != _sampleRate)) Build(sampleRate);
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_classifier is not null) await _classifier.DrainAsync(TimeSpan.FromSeconds(1));
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private void Build(int sampleRate)
    {
        _sampleRate = sampleRate;
        _inForce.Clear();
        _windows.Clear();
        _detector = EmergencyDetectors.Create(classifier.Value, sampleRate);
        _detector.Detected += (kind, seconds) => Raise(kind, seconds, true);
        _detector.Cleared += (kind, seconds) => Raise(kind, seconds, false);
        if (_detector is IClassifierWindowSource source)
        {
            // Sessions that start together would finish their ≈ 1 s windows in the same 100 ms of every second.
            source.OffsetWindows(SessionPhase.Of(this.GetPrimaryKeyString(), NoiseFeatures.FramesPerWindow));
            _labels = source.Labels;
            source.WindowFinished += (features, probabilities) => _windows.Add((features, probabilities));
            if (_classifier is null)
            {
                var id = this.GetPrimaryKeyString();
                _classifier = new FeaturePublisher<ClassifierWindow>(GrainFactory.GetGrain<IClassifierGrain>(id).PushAsync, id, "classifier", logger);
            }
        }
    }

    // The windows this batch finished (one at most at 100 ms per batch) go to the classifier grain: queued, not awaited.
    private void Forward()
    {
        var id = this.GetPrimaryKeyString();
        foreach (var (features, probabilities) in _windows)
            _classifier!.Publish(new ClassifierWindow(id, _seconds, features, probabilities, probabilities is null ? null : _labels));
        _windows.Clear();
    }

    private void Raise(string kind, double seconds, bool active)
    {
        if (active && !_inForce.Contains(kind)) _inForce.Add(kind);
        if (!active) _inForce.Remove(kind);
        _reassertedAt = _seconds;
        _alerts.Add(new EmergencyAlert(this.GetPrimaryKeyString(), kind, DateTime.UtcNow, seconds, active));
    }
}
