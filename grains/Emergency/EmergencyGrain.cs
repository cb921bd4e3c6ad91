using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Grains.Emergency;

/// <summary>
/// Runs the <see cref="EmergencyDetector"/> on one session's reference mic, fed by the session with
/// <see cref="FeatureBatch"/>es (≥ 100 ms each). A detection raises an alert on the session (passthrough + event);
/// its absence for <see cref="EmergencyDetector.ReleaseSeconds"/> clears it.
/// Latency: the detector's own (sirens ≈ 1 s, T3 ≤ one cycle) plus up to one batch (100 ms) plus one grain call.
/// Keeps no audio beyond the detector's own analysis windows.
/// </summary>
internal sealed class EmergencyGrain : Grain, IEmergencyGrain
{
    private readonly List<EmergencyAlert> _alerts = [];
    private EmergencyDetector? _detector;
    private int _sampleRate;
    private double _seconds;
    private float[] _samples = [];

    public async Task PushAsync(FeatureBatch batch)
    {
        if (batch.SampleRate <= 0 || batch.ReferencePcm16.Length == 0) return;
        if (_detector is null || batch.SampleRate != _sampleRate)
        {
            _sampleRate = batch.SampleRate;
            _detector = new EmergencyDetector(_sampleRate);
            _detector.Detected += (kind, seconds) => Raise(kind, seconds, true);
            _detector.Cleared += (kind, seconds) => Raise(kind, seconds, false);
        }
        var count = batch.SampleCount;
        if (_samples.Length < count) _samples = new float[count];
        var samples = _samples.AsSpan(0, count);
        FrameCodec.DecodePcm16(batch.ReferencePcm16, samples);
        _seconds += (double)samples.Length / _sampleRate;
        _detector.Push(samples);
        if (_alerts.Count > 0)
        {
            var session = GrainFactory.GetGrain<ISessionGrain>(this.GetPrimaryKeyString());
            foreach (var alert in _alerts) await session.RaiseAlertAsync(alert);
            _alerts.Clear();
        }
    }

    private void Raise(string kind, double seconds, bool active) =>
        _alerts.Add(new EmergencyAlert(this.GetPrimaryKeyString(), kind, DateTime.UtcNow, seconds, active));
}
