using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Classification;
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
/// </summary>
internal sealed class EmergencyGrain(IOptions<ClassifierOptions> classifier) : Grain, IEmergencyGrain
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

    public async Task PushAsync(FeatureBatch batch)
    {
        if (batch.SampleRate <= 0 || batch.ReferencePcm16.Length == 0) return;
        if (_detector is null || batch.SampleRate != _sampleRate) Build(batch.SampleRate);
        var count = batch.SampleCount;
        if (_samples.Length < count) _samples = new float[count];
        var samples = _samples.AsSpan(0, count);
        FrameCodec.DecodePcm16(batch.ReferencePcm16, samples);
        _seconds += (double)samples.Length / _sampleRate;
        _detector!.Push(samples);
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

    private void Build(int sampleRate)
    {
        _sampleRate = sampleRate;
        _inForce.Clear();
        _detector = EmergencyDetectors.Create(classifier.Value, sampleRate);
        _detector.Detected += (kind, seconds) => Raise(kind, seconds, true);
        _detector.Cleared += (kind, seconds) => Raise(kind, seconds, false);
    }

    private void Raise(string kind, double seconds, bool active)
    {
        if (active && !_inForce.Contains(kind)) _inForce.Add(kind);
        if (!active) _inForce.Remove(kind);
        _reassertedAt = _seconds;
        _alerts.Add(new EmergencyAlert(this.GetPrimaryKeyString(), kind, DateTime.UtcNow, seconds, active));
    }
}
