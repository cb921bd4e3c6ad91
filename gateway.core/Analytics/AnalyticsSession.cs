using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Gateway.Analytics;

/// <summary>One device session's <see cref="SessionAnalytics"/> and its writes through the <see cref="AnalyticsRecorder"/>.</summary>
public sealed class AnalyticsSession
{
    private readonly AnalyticsRecorder _recorder;
    private DateTime _lastWrite;
    private Task _writing = Task.CompletedTask;

    internal AnalyticsSession(AnalyticsRecorder recorder, SessionAnalytics analytics)
    {
        _recorder = recorder;
        Analytics = analytics;
        _lastWrite = analytics.StartedUtc;
    }

    public SessionAnalytics Analytics { get; }

    /// <summary>At each stats tick: the rules, and the periodic write when due (at most one in flight).</summary>
    public void Tick(SessionStats stats, FrameCounts counts)
    {
        var now = DateTime.UtcNow;
        if (Analytics.Tick(now, stats, counts) is { } raised)
            foreach (var flag in raised) _recorder.Raised(Analytics.DeviceId, flag);
        if (now - _lastWrite >= _recorder.Interval && _writing.IsCompleted)
        {
            _lastWrite = now;
            _writing = _recorder.WriteAsync(Analytics.Summary(now, ended: false, counts), CancellationToken.None);
        }
    }

    /// <summary>An audit event about this device, done by the device itself.</summary>
    public Task AuditAsync(string action, string detail) => _recorder.AuditAsync($"device:{Analytics.DeviceId}", action, Analytics.DeviceId, detail);

    /// <summary>The session ended: its last stats (when they could be read) and the final write.</summary>
    public async Task EndAsync(SessionStats? stats, FrameCounts counts, CancellationToken cancel)
    {
        if (!Analytics.Active) return;
        var now = DateTime.UtcNow;
        if (stats is not null && Analytics.Tick(now, stats, counts) is { } raised)
            foreach (var flag in raised) _recorder.Raised(Analytics.DeviceId, flag);
        await _writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _recorder.WriteAsync(Analytics.Summary(now, ended: true, counts), cancel);
    }
}
