using AncOrleans.Abstractions;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// A session's alerts, durable (issue 14, docs/reliability.md "Durable alerts"). Everything lives in the
/// <see cref="SessionCheckpoint"/>, which the grain writes before an alert is delivered:
/// <list type="bullet">
/// <item>the kinds in force (<see cref="SessionCheckpoint.ActiveAlertKinds"/>): passthrough while any is, also after
/// a failover;</item>
/// <item>the queue of alerts the device has not acknowledged (<see cref="SessionCheckpoint.UnackedAlerts"/>): the
/// oldest due goes out with a reply, again every <see cref="SessionGrainOptions.AlertResendSeconds"/> of audio until
/// the device acknowledges it (<c>alertAck</c>) or it expires (<see cref="SessionGrainOptions.AlertExpirySeconds"/>).
/// Receivers de-duplicate on <see cref="EmergencyAlert.AlertId"/>. A newer alert of a kind supersedes a queued older one.</item>
/// </list>
/// An active alert of a kind already in force is a confirmation, not a new alert (the detector re-asserts what it
/// hears every 2 s, and a detector restarted by a failover detects the same siren again); a clear of a kind not in
/// force is ignored. After a restore the kinds in force are held for <see cref="SessionGrainOptions.RestoredAlertHoldSeconds"/>
/// of audio: confirmed, they stay; not, they are cleared (the sound ended while the session was moving).
/// Time is the session's audio time, so the behaviour is the same however fast frames arrive.
/// Not thread-safe: the grain calls it one message at a time.
/// </summary>
public sealed class AlertLedger(string sessionId, SessionGrainOptions options, SessionCheckpoint state)
{
    private readonly Dictionary<string, double> _lastSent = [];   // alert id → audio time of its last send (not persisted: after a restore all are due)
    private readonly Dictionary<string, double> _raisedAt = [];   // alert id → audio time it was recorded or restored
    private readonly List<string> _unconfirmed = [];              // kinds restored in force, not yet confirmed by the detector
    private double _seconds;                                      // audio time of this activation
    private double _holdUntil;

    /// <summary>Whether the anti-noise steps aside: an alert is in force.</summary>
    public bool Passthrough => state.ActiveAlertKinds.Count > 0;

    private long _changes, _saved;

    /// <summary>Alerts recorded or changed since the last checkpoint write that completed: a reply carrying one waits for a write.</summary>
    public bool Unsaved => _changes != _saved;

    /// <summary>A count of the ledger's changes: taken when a checkpoint is written, given back to <see cref="Saved"/> when the write succeeds.</summary>
    public long Changes => _changes;

    /// <summary>Unacknowledged alerts dropped at expiry, in this activation.</summary>
    public int Expired { get; private set; }

    /// <summary>After an activation: the kinds in force are held until confirmed or <see cref="SessionGrainOptions.RestoredAlertHoldSeconds"/> pass.</summary>
    public void Restored()
    {
        _unconfirmed.Clear();
        _unconfirmed.AddRange(state.ActiveAlertKinds);
        _holdUntil = _seconds + options.RestoredAlertHoldSeconds;
        foreach (var alert in state.UnackedAlerts) _raisedAt[alert.AlertId ?? ""] = _seconds;
    }

    /// <summary>
    /// Records the detector's alert. Returns the alert as stored (with its id) when it is news for the device, or
    /// null when it only confirms (or repeats the end of) what is already known.
    /// </summary>
    public EmergencyAlert? Record(EmergencyAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var inForce = state.ActiveAlertKinds.Contains(alert.Kind);
        if (alert.Active && inForce)
        {
            _unconfirmed.Remove(alert.Kind);
            return null;
        }
        if (!alert.Active && !inForce) return null;
        if (alert.Active) state.ActiveAlertKinds.Add(alert.Kind);
        else
        {
            state.ActiveAlertKinds.Remove(alert.Kind);
            _unconfirmed.Remove(alert.Kind);
        }
        var stored = alert with { SessionId = sessionId, AlertId = $"{sessionId}#{++state.AlertsRecorded}" };
        // An older alert of the same kind still queued is superseded: the device needs the kind's latest state only
        // (a detection re-sent after its clear would silence the anti-noise again).
        foreach (var old in state.UnackedAlerts.Where(a => a.Kind == alert.Kind).ToArray()) Forget(old);
        state.Alerts.Add(stored);
        if (state.Alerts.Count > 100) state.Alerts.RemoveAt(0);
        state.UnackedAlerts.Add(stored);
        _raisedAt[stored.AlertId!] = _seconds;
        _changes++;
        return stored;
    }

    /// <summary>The device acknowledged an alert: it is no longer re-sent. False when it is not (or no longer) queued.</summary>
    public bool Acknowledge(string alertId)
    {
        var alert = state.UnackedAlerts.Find(a => a.AlertId == alertId);
        if (alert is null) return false;
        Forget(alert);
        _changes++;
        return true;
    }

    private void Forget(EmergencyAlert alert)
    {
        state.UnackedAlerts.Remove(alert);
        _lastSent.Remove(alert.AlertId ?? "");
        _raisedAt.Remove(alert.AlertId ?? "");
    }

    /// <summary>
    /// Moves audio time on by one frame and returns the alert to send with its reply, if one is due: the oldest
    /// unacknowledged alert not sent within <see cref="SessionGrainOptions.AlertResendSeconds"/>. Clears restored
    /// kinds whose hold ran out unconfirmed, and drops expired alerts.
    /// </summary>
    public EmergencyAlert? Advance(double frameSeconds, out bool passthroughChanged)
    {
        _seconds += frameSeconds;
        passthroughChanged = false;
        if (_unconfirmed.Count > 0 && _seconds >= _holdUntil)
        {
            foreach (var kind in _unconfirmed.ToArray())
                Record(new EmergencyAlert(sessionId, kind, DateTime.UtcNow, _seconds, false));
            _unconfirmed.Clear();
            passthroughChanged = true;
        }
        if (state.UnackedAlerts.Count == 0) return null;
        for (var i = 0; i < state.UnackedAlerts.Count; i++)
        {
            var alert = state.UnackedAlerts[i];
            var id = alert.AlertId ?? "";
            if (_raisedAt.TryGetValue(id, out var raised) && _seconds - raised > options.AlertExpirySeconds)
            {
                state.UnackedAlerts.RemoveAt(i--);
                _lastSent.Remove(id);
                _raisedAt.Remove(id);
                Expired++;
                _changes++;
                continue;
            }
            if (_lastSent.TryGetValue(id, out var sent) && _seconds - sent < options.AlertResendSeconds) continue;
            _lastSent[id] = _seconds;
            return alert;
        }
        return null;
    }

    /// <summary>
    /// A checkpoint taken at <paramref name="changes"/> (<see cref="Changes"/> then) is stored: what changed after it
    /// (while the write was in flight) is still unsaved.
    /// </summary>
    public void Saved(long changes) => _saved = Math.Max(_saved, changes);

    /// <summary>Forgets everything (the session ended).</summary>
    public void Clear()
    {
        _lastSent.Clear();
        _raisedAt.Clear();
        _unconfirmed.Clear();
        _saved = _changes;
    }
}
