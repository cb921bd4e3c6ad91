using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Analytics;
using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Gateway.Analytics;

/// <summary>
/// One device session's summary as it runs, free of Orleans and ASP.NET. Fed by the gateway's <c>DeviceSession</c>:
/// <see cref="Answered"/> per frame (one histogram bin incremented under a lock: allocation-free),
/// <see cref="Started"/>, <see cref="Alert"/>, <see cref="Error"/> as they happen, and <see cref="Tick"/> with the
/// session's stats at each stats interval (1 s), which is where reductions, label time, resets, restores and the
/// anomaly rules (<see cref="AnomalyRules"/>) are worked out. Reduction per tick is 10·log10(ΔΣd̂² / ΔΣe²) from the
/// session's cumulative energies, so the summary's figures are energy ratios, as the canceller's own meter is.
/// </summary>
public sealed class SessionAnalytics
{
    private const int MaxAnomalies = 50, MaxSpans = 2048;
    private readonly Lock _gate = new();
    private readonly AnomalyRules _rules;
    private readonly BinnedHistogram _latency = BinnedHistogram.Latency(), _windowLatency = BinnedHistogram.Latency(), _pastLatency = BinnedHistogram.Latency();
    private readonly BinnedHistogram _reduction = BinnedHistogram.Decibels();
    private readonly Dictionary<string, double> _labels = new(StringComparer.Ordinal);
    private readonly List<AnomalyFlag> _anomalies = [];
    private readonly HashSet<string> _raised = new(StringComparer.Ordinal);
    // The session's reduction over time, as (end, seconds, ΣΔd̂², ΣΔe²) spans: the array doubles from 64 up to MaxSpans,
    // then pairs merge, so a long session keeps 1–2k spans (64 KB at most) and a short one little.
    private (double End, double Seconds, double Noise, double Residual)[] _spans = new (double, double, double, double)[64];
    private readonly Queue<DateTime> _resetTimes = new();
    private int _spanCount;
    private DateTime _lastTick;
    private double _noise, _residual;            // the canceller's cumulative energies at the last tick
    private double _totalNoise, _totalResidual;  // the session's, across canceller rebuilds
    private double? _fast, _slow;                // EWMA reductions for the collapse rule
    private int _resets = -1, _restores = -1, _filterResets, _siloMoves, _alerts, _modeChanges;
    private long _errors;
    private string? _mode, _lastError;
    private DateTime _windowStart;
    private long _windowLost, _windowReceived, _lost, _received;
    private double _lastDbSinceStart;
    private bool _edgeFallback;

    public SessionAnalytics(string deviceId, DateTime startedUtc, AnomalyRules? rules = null)
    {
        DeviceId = deviceId;
        StartedUtc = startedUtc;
        _lastTick = _windowStart = startedUtc;
        _rules = rules ?? new AnomalyRules();
    }

    public string DeviceId { get; }

    public DateTime StartedUtc { get; }

    /// <summary>A start was accepted or a frame answered: worth a summary.</summary>
    public bool Active { get; private set; }

    /// <summary>Per answered frame: its latency at the gateway (received → reply queued).</summary>
    public void Answered(double latencyMs)
    {
        lock (_gate)
        {
            Active = true;
            _latency.Record(latencyMs);
            _windowLatency.Record(latencyMs);
        }
    }

    public void Started(string mode)
    {
        lock (_gate)
        {
            Active = true;
            if (_mode is not null && !string.Equals(_mode, mode, StringComparison.Ordinal)) _modeChanges++;
            _mode = mode;
        }
    }

    public void Alert(EmergencyAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        lock (_gate)
            if (alert.Active) _alerts++;
    }

    public void Error(string reason)
    {
        lock (_gate)
        {
            _errors++;
            _lastError = reason;
        }
    }

    /// <summary>The stats at a tick; returns the anomalies raised by it (usually none: null).</summary>
    public List<AnomalyFlag>? Tick(DateTime now, SessionStats stats, FrameCounts counts)
    {
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(counts);
        lock (_gate)
        {
            var dt = Math.Max(0, (now - _lastTick).TotalSeconds);
            _lastTick = now;
            var raised = default(List<AnomalyFlag>);
            // Energies: a canceller that was rebuilt (profile, reset) counts from zero again.
            var dNoise = stats.NoiseEnergy >= _noise ? stats.NoiseEnergy - _noise : stats.NoiseEnergy;
            var dResidual = stats.ResidualEnergy >= _residual ? stats.ResidualEnergy - _residual : stats.ResidualEnergy;
            _noise = stats.NoiseEnergy;
            _residual = stats.ResidualEnergy;
            double? db = null;
            if (dNoise > 0 && dResidual > 0)
            {
                db = 10 * Math.Log10(dNoise / dResidual);
                _totalNoise += dNoise;
                _totalResidual += dResidual;
                AddSpan((now - StartedUtc).TotalSeconds, dt, dNoise, dResidual);
            }
            else if (stats.NoiseEnergy == 0 && stats.Mode == "edge" && stats.FramesOut > 0)
            {
                // Edge mode reports no energies: its short-term reduction, weighted by time.
                _edgeFallback = true;
                db = stats.ReductionDbShortTerm;
                var power = Math.Pow(10, db.Value / 10);
                AddSpan((now - StartedUtc).TotalSeconds, dt, power * dt, dt);
            }
            _lastDbSinceStart = stats.ReductionDbSinceStart;
            if (db is { } r && dt > 0)
            {
                _reduction.Record(r, dt);
                if (stats.ConvergenceState != ConvergenceState.Passthrough) Collapse(now, r, dt, ref raised);
            }
            if (dt > 0 && stats.FramesOut > 0) _labels[stats.NoiseLabel ?? "unclassified"] = _labels.GetValueOrDefault(stats.NoiseLabel ?? "unclassified") + dt;

            // Resets and restores are cumulative per canceller / per checkpoint: count what is new.
            var newResets = _resets < 0 ? stats.FilterResets : stats.FilterResets >= _resets ? stats.FilterResets - _resets : stats.FilterResets;
            _resets = stats.FilterResets;
            _filterResets += newResets;
            for (var i = 0; i < newResets; i++) _resetTimes.Enqueue(now);
            while (_resetTimes.Count > 0 && (now - _resetTimes.Peek()).TotalSeconds > _rules.ResetWindowSeconds) _resetTimes.Dequeue();
            Flag(now, "filter-resets", _resetTimes.Count >= _rules.Resets, _resetTimes.Count == 0,
                $"{_resetTimes.Count} filter resets in the last {_rules.ResetWindowSeconds:0} s", ref raised);
            // A move is a restore from the checkpoint (a crash) or a migration with the state in memory (a graceful leave).
            var moves = stats.Restores + stats.Migrations;
            if (_restores >= 0 && moves > _restores) _siloMoves += moves - _restores;
            _restores = moves;

            var lost = counts.Late + counts.Unavailable + counts.RateLimited + counts.QueueFull;
            _windowLost += lost - _lost;
            _windowReceived += counts.Received - _received;
            _lost = lost;
            _received = counts.Received;
            if ((now - _windowStart).TotalSeconds >= _rules.WindowSeconds) Window(now, ref raised);
            return raised;
        }
    }

    private void Collapse(DateTime now, double db, double dt, ref List<AnomalyFlag>? raised)
    {
        var fastAlpha = 1 - Math.Exp(-dt / _rules.FastSeconds);
        _fast = _fast is { } f ? f + fastAlpha * (db - f) : db;
        var collapsed = _raised.Contains("reduction-collapse");
        // The session's level does not follow a collapse down, or the flag would clear itself.
        if (!collapsed) _slow = _slow is { } s ? s + (1 - Math.Exp(-dt / _rules.SlowSeconds)) * (db - s) : db;
        if ((now - StartedUtc).TotalSeconds < _rules.WarmupSeconds || _slow is not { } level) return;
        Flag(now, "reduction-collapse", level >= _rules.CollapseFromDb && _fast <= level - _rules.CollapseDropDb, _fast >= level - _rules.CollapseDropDb / 2,
            $"reduction {_fast:0.0} dB over the last seconds, {level:0.0} dB before", ref raised);
    }

    private void Window(DateTime now, ref List<AnomalyFlag>? raised)
    {
        // Against the session's own past windows (the window itself excluded), once both hold enough frames.
        if (_pastLatency.Total >= _rules.LatencyMinFrames * 5 && _windowLatency.Total >= _rules.LatencyMinFrames)
        {
            var baseline = _pastLatency.Percentile(0.95);
            var p95 = _windowLatency.Percentile(0.95);
            Flag(now, "latency-jump", p95 >= baseline * _rules.LatencyFactor && p95 >= baseline + _rules.LatencyMarginMs, p95 < baseline * 1.5,
                $"latency p95 {p95:0.0} ms over the last {_rules.WindowSeconds:0} s, {baseline:0.0} ms before", ref raised);
        }
        if (_windowReceived > 0)
        {
            var fraction = (double)_windowLost / _windowReceived;
            Flag(now, "loss-jump", _windowLost >= _rules.LossMinFrames && fraction >= _rules.LossFraction, fraction < _rules.LossFraction / 5,
                $"{_windowLost} of {_windowReceived} frames lost over the last {_rules.WindowSeconds:0} s ({fraction:P1})", ref raised);
        }
        _pastLatency.Add(_windowLatency);
        _windowLatency.Clear();
        _windowLost = _windowReceived = 0;
        _windowStart = now;
    }

    /// <summary>Raises <paramref name="kind"/> when <paramref name="on"/> and it is not already raised; clears it when <paramref name="off"/>.</summary>
    private void Flag(DateTime now, string kind, bool on, bool off, string detail, ref List<AnomalyFlag>? raised)
    {
        if (on && _raised.Add(kind))
        {
            var flag = new AnomalyFlag(kind, now, detail);
            if (_anomalies.Count < MaxAnomalies) _anomalies.Add(flag);
            (raised ??= []).Add(flag);
        }
        else if (off) _raised.Remove(kind);
    }

    private void AddSpan(double end, double seconds, double noise, double residual)
    {
        if (_spanCount == _spans.Length && _spans.Length < MaxSpans) Array.Resize(ref _spans, _spans.Length * 2);
        if (_spanCount == MaxSpans)
        {
            for (var i = 0; i < MaxSpans / 2; i++)
            {
                var (a, b) = (_spans[2 * i], _spans[2 * i + 1]);
                _spans[i] = (b.End, a.Seconds + b.Seconds, a.Noise + b.Noise, a.Residual + b.Residual);
            }
            _spanCount = MaxSpans / 2;
        }
        _spans[_spanCount++] = (end, seconds, noise, residual);
    }

    /// <summary>
    /// Reduction over the last quarter of the session's audio (the steady state, as <c>anc sim</c> and <c>anc eval</c>
    /// measure it: <c>ReductionMeter.SteadyFraction</c> = 0.75).
    /// </summary>
    private double SteadyReductionDb()
    {
        if (_spanCount == 0) return double.NaN;
        var first = _spans[0].End - _spans[0].Seconds;
        var from = first + 0.75 * (_spans[_spanCount - 1].End - first);
        double noise = 0, residual = 0;
        for (var i = 0; i < _spanCount; i++)
        {
            var (end, seconds, n, r) = _spans[i];
            if (end <= from) continue;
            var part = seconds <= 0 ? 1 : Math.Clamp((end - from) / seconds, 0, 1);
            noise += n * part;
            residual += r * part;
        }
        return noise > 0 && residual > 0 ? 10 * Math.Log10(noise / residual) : double.NaN;
    }

    public SessionSummary Summary(DateTime now, bool ended, FrameCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        lock (_gate)
        {
            var sinceStart = _edgeFallback ? _lastDbSinceStart
                : _totalNoise > 0 && _totalResidual > 0 ? 10 * Math.Log10(_totalNoise / _totalResidual) : double.NaN;
            return new SessionSummary(DeviceId, StartedUtc, now, ended, Math.Round((now - StartedUtc).TotalSeconds, 3),
                counts.Received, counts.Answered, counts.Refused, counts.Late + counts.Unavailable + counts.RateLimited + counts.QueueFull,
                Round(SteadyReductionDb()), Round(sinceStart),
                Round(_reduction.Percentile(0.10)), Round(_reduction.Percentile(0.50)), Round(_reduction.Percentile(0.90)),
                _labels.ToDictionary(pair => pair.Key, pair => Math.Round(pair.Value, 2), StringComparer.Ordinal),
                _alerts, _mode, _modeChanges, _errors, _lastError, _siloMoves, _filterResets,
                Round(_latency.Percentile(0.50)), Round(_latency.Percentile(0.99)), [.. _anomalies]);
        }
    }

    // JSON has no NaN: a figure that cannot be worked out (no audio yet) is 0.
    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 2) : 0;
}
