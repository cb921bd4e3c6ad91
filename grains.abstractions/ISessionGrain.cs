namespace AncOrleans.Abstractions;

/// <summary>One device session (key = device/session id): owns the adaptive filter and turns audio into anti-noise.</summary>
public interface ISessionGrain : IGrainWithStringKey
{
    /// <summary>Sets or changes the configuration. Throws <see cref="ArgumentException"/> naming a bad field.</summary>
    Task ConfigureAsync(SessionConfig config);

    /// <summary>Processes one frame. A bad frame comes back rejected with a reason; it never throws for bad audio.</summary>
    /// <remarks>
    /// A reply is awaited for 2 s, not Orleans' 30 s: anti-noise older than that is worthless to the device, and a
    /// request the runtime drops while the session's silo shuts down (seen in 1 of 7 runs of <c>MigrationStallTests</c>)
    /// would otherwise hold the device's frames for 30 s. The caller re-sends on the <see cref="TimeoutException"/>
    /// (the gateway's <c>SiloLossRetry</c>, within the frame's deadline); a re-sent frame is answered from the last reply.
    /// </remarks>
    [ResponseTimeout("00:00:02")]
    Task<AntiNoiseFrame> ProcessAsync(AudioFrame frame);

    Task<SessionStats> GetStatsAsync();

    /// <summary>Forgets the adaptation (keeps the configuration).</summary>
    Task ResetAsync();

    /// <summary>Ends the session: forgets configuration, filter state and counters, and deactivates.</summary>
    Task EndAsync();

    /// <summary>
    /// The emergency path: an active alert fades the anti-noise out (passthrough) within 100 ms, is stored with the
    /// session before it is delivered, and is sent with the next reply and again until the device acknowledges it;
    /// an inactive one lets ANC back in. An active alert of a kind already in force only confirms it.
    /// </summary>
    Task RaiseAlertAsync(EmergencyAlert alert);

    /// <summary>The device has the alert (<see cref="EmergencyAlert.AlertId"/>): it is no longer re-sent.</summary>
    Task AcknowledgeAlertAsync(string alertId);

    /// <summary>
    /// The classifier's verdict (on a change): recorded, sent to the device with the next reply, and — when it
    /// asks to and the session allows (<see cref="SessionConfig.AutoProfile"/>, antinoise mode) — its ANC profile applied.
    /// </summary>
    Task ClassifyAsync(NoiseClassification classification);

    /// <summary>Alerts recorded with this session, oldest first.</summary>
    Task<EmergencyAlert[]> GetAlertsAsync();

    /// <summary>Fades the anti-noise out (true) or back in (false): the emergency path.</summary>
    Task SetPassthroughAsync(bool passthrough);

    /// <summary>
    /// Starts (true) or stops recording the session's noise (d̂) and residual as WAV chunks (docs/recordings.md); returns
    /// whether it is recording. Throws <see cref="InvalidOperationException"/> before the session is configured.
    /// </summary>
    Task<bool> SetRecordingAsync(bool on);
    /// <summary>The session as the live page lists it (stats, silo, alerts). Costs the session nothing per frame.</summary>
    Task<SessionOverview> GetOverviewAsync();

    /// <summary>
    /// The session as the live page shows it, spectra included. Each call keeps the spectra computed for the next
    /// <see cref="SpectrumWatchSeconds"/> seconds of audio; when nobody calls, the session computes none.
    /// </summary>
    Task<SessionView> WatchAsync();

    /// <summary>How long one <see cref="WatchAsync"/> keeps the spectra running, in seconds of audio.</summary>
    const int SpectrumWatchSeconds = 5;
}
