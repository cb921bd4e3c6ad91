using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Sessions;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace AncOrleans.Grains.Emergency;

/// <summary>
/// Listens to one session's feature stream (implicit subscription: it exists for every session that publishes)
/// and runs the <see cref="FusedEmergencyDetector"/> on the reference mic: the DSP patterns fused with the
/// embedded classifier's emergency probability (docs/emergency.md); with the classifier disabled or its model
/// missing, the patterns alone (<see cref="EmergencyDetector"/>). A detection raises an alert on the session
/// (passthrough + event); its absence for <see cref="EmergencyDetector.ReleaseSeconds"/> clears it.
/// Latency: the detector's own (sirens ≈ 1 s, T3 ≤ one cycle) plus the memory stream's delivery (its pulling
/// agent polls every 100 ms by default; the alert is safety-relevant, so the silo sets 20 ms).
/// </summary>
[ImplicitStreamSubscription(FrameFeatures.StreamNamespace)]
internal sealed class EmergencyGrain(IOptions<SessionGrainOptions> options, IOptions<Classification.ClassifierOptions> classifier) : Grain, IGrainWithStringKey
{
    private FusedEmergencyDetector? _detector;
    private EmergencyDetector? _patternsOnly;
    private int _sampleRate;
    private double _seconds;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var stream = this.GetStreamProvider(options.Value.StreamProvider)
            .GetStream<FrameFeatures>(StreamId.Create(FrameFeatures.StreamNamespace, this.GetPrimaryKeyString()));
        await stream.SubscribeAsync(OnFrameAsync);
        await base.OnActivateAsync(cancellationToken);
    }

    private async Task OnFrameAsync(FrameFeatures features, StreamSequenceToken? token)
    {
        if (_detector is null && _patternsOnly is null || features.SampleRate != _sampleRate)
        {
            _sampleRate = features.SampleRate;
            var path = classifier.Value.ResolvedModelPath;
            if (classifier.Value.Enabled && File.Exists(path))
            {
                _detector = new FusedEmergencyDetector(_sampleRate, Dsp.Classification.NoiseClassifierModel.LoadShared(path));
                _detector.Detected += (kind, seconds) => Raise(kind, seconds, true);
                _detector.Cleared += (kind, seconds) => Raise(kind, seconds, false);
                _patternsOnly = null;
            }
            else
            {
                _patternsOnly = new EmergencyDetector(_sampleRate);
                _patternsOnly.Detected += (kind, seconds) => Raise(kind, seconds, true);
                _patternsOnly.Cleared += (kind, seconds) => Raise(kind, seconds, false);
                _detector = null;
            }
        }
        var pcm = FrameCodec.DecodeMono(features.ReferencePcm16, Abstractions.SampleFormat.Int16);
        _seconds += (double)pcm.Length / _sampleRate;
        if (_detector is not null) _detector.Push(pcm);
        else _patternsOnly!.Push(pcm);
        if (_alerts.Count > 0)
        {
            var session = GrainFactory.GetGrain<ISessionGrain>(this.GetPrimaryKeyString());
            foreach (var alert in _alerts) await session.RaiseAlertAsync(alert);
            _alerts.Clear();
        }
    }

    private readonly List<EmergencyAlert> _alerts = [];

    private void Raise(string kind, double seconds, bool active) =>
        _alerts.Add(new EmergencyAlert(this.GetPrimaryKeyString(), kind, DateTime.UtcNow, seconds, active));
}
