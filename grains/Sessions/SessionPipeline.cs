using System.Runtime.InteropServices;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using AncOrleans.Grains.Recordings;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// What a session does with its frames, free of Orleans: builds the canceller from the configuration (and the
/// classifier's profile), checks and decodes each frame (<see cref="FrameCodec.TryDecode"/>), keeps the canceller
/// on the device's clock (gaps, anti-noise not played), runs it, writes the reply in the device's wire format once
/// (<see cref="WireFrame.WriteAntiNoise"/>), and carries pending alerts and classifications out with the next
/// reply. Counters, configuration, profile and alerts live in the <see cref="SessionCheckpoint"/> it is given, so
/// the grain persists them as they are. Not thread-safe: the grain calls it one message at a time.
/// </summary>
public sealed class SessionPipeline(string sessionId, SessionGrainOptions options, SessionCheckpoint state)
{
    private const int MaxGapFrames = 100;
    private readonly ConvergenceTracker _convergence = new();
    private readonly SessionWatch _watch = new();           // reduction history; spectra while a viewer watches
    private AncProcessor? _processor;

    /// <summary>Samples the canceller has run so far, gaps' silence included (0 before the first configuration); for tests.</summary>
    internal long SamplesProcessed => _processor?.SamplesProcessed ?? 0;
    private EdgeCanceller? _edge;                           // edge mode instead of _processor
    private CoefficientSet? _pendingSet;                    // edge mode: a set to send with the next reply (the passthrough's zeros)
    private int _frameCapacity;                             // the longest frame this configuration takes (its buffers: FrameScratch)
    private readonly AlertLedger _alerts = new(sessionId, options, state);
    private bool _manualPassthrough;                        // SetPassthrough's (the alerts' own is in the ledger)
    private bool _passthrough;                              // in force: either
    private NoiseClassification? _pendingClassification;
    private AntiNoiseFrame? _lastReply;                     // the last frame's answer, for a re-sent frame
    private byte[] _lastMessage = [];                       // antinoise: a copy of its message (the reply's own array is the gateway's)
    private bool _lastIsCopied;                             // _lastReply's message is in _lastMessage
    private long _lastTimestampUs;
    private RecordedChunk? _recorded;                       // a chunk the last frame completed, for the grain to write

    public SessionCheckpoint State => state;

    /// <summary>The session's alerts: in force, queued until acknowledged (durable through the checkpoint).</summary>
    public AlertLedger Alerts => _alerts;

    public bool IsConfigured => _processor is not null || _edge is not null;

    /// <summary>
    /// Rebuilds from the checkpoint after an activation (<paramref name="migrated"/>: the state came in memory from the
    /// silo the session left, not from storage). Throws <see cref="ArgumentException"/> when the saved filter does not fit.
    /// </summary>
    public void Restore(bool migrated = false)
    {
        _alerts.Restored();
        _passthrough = _manualPassthrough || _alerts.Passthrough;
        if (state.Config is not { } config) return;
        Build(config);
        var saved = MemoryMarshal.Cast<byte, float>(state.FilterState.AsSpan());
        if (_edge is not null) _edge.LoadState(saved);
        else _processor!.LoadState(saved);
        if (migrated) state.Migrations++;
        else state.Restores++;
    }

    /// <summary>Sets or changes the configuration; the weights stay when the filter keeps its shape. Throws <see cref="ArgumentException"/> naming a bad field.</summary>
    public void Configure(SessionConfig config)
    {
        var previous = _processor;
        var before = state.Config;
        Build(config);
        if (previous is not null && _processor is not null && previous.StateLength == _processor.StateLength && SameShape(before, config))
            _processor.LoadState(previous.SaveState());
        _lastReply = null;
        state.Config = config;
    }

    private static bool SameShape(SessionConfig? a, SessionConfig b) =>
        a is not null && a.SampleRate == b.SampleRate && a.FilterLength == b.FilterLength && a.Algorithm == b.Algorithm && a.Mode == b.Mode;

    /// <summary>The configuration's settings with the classifier's profile applied, when allowed.</summary>
    private static AncSettings SettingsFor(SessionConfig config, string? profile)
    {
        var settings = SessionSettings.From(config); // throws ArgumentException with the reason
        return profile is not null && config.AutoProfile && settings.Mode == CancellerMode.AntiNoise
            ? AncProfile.Named(profile).ApplyTo(settings)
            : settings;
    }

    private void Build(SessionConfig config)
    {
        if (SessionSettings.IsEdge(config))
        {
            _edge = new EdgeCanceller(SessionSettings.Edge(config, sessionId) with { Convergence = options.EdgeConvergence }); // throws ArgumentException with the reason
            _edge.SetPassthrough(_passthrough);                      // nothing sent yet: no zero set needed
            _processor = null;
        }
        else
        {
            _processor = new AncProcessor(SettingsFor(config, state.Profile));
            _processor.Passthrough(_passthrough);
            _edge = null;
        }
        // The largest frame this configuration accepts (antinoise: at most D samples; see Process), not the largest
        // any configuration could: 4 × 3,840 floats less per antinoise session at 48 kHz, D = 20 ms.
        var largest = _processor is { Settings.Mode: CancellerMode.AntiNoise } antiNoise
            ? Math.Min(options.MaxFrameSamples, antiNoise.Settings.DelaySamples)
            : options.MaxFrameSamples;
        // A frame's buffers (its two channels, the output, d̂ while recording, a gap's silence) are the thread's
        // FrameScratch, not the session's: ten frame-sized arrays per edge session before (≈ 190 KB at 100 ms, 48 kHz).
        _frameCapacity = Math.Max(largest, config.FrameSamples);
    }

    /// <summary>
    /// One frame in, its reply out (accepted or rejected with the reason). When <paramref name="features"/> is given,
    /// an accepted frame's reference mic goes into it, and <paramref name="batch"/> is the batch it completed, if any,
    /// for the classifier and emergency grains.
    /// </summary>
    public AntiNoiseFrame Process(AudioFrame? frame, FeatureBatcher? features, out FeatureBatch? batch)
    {
        batch = null;
        // A frame sent again (same sequence and timestamp: its first call failed on the way back) is answered
        // again, not processed twice.
        // An antinoise reply's array went to the gateway, which gives it back to ReplyBuffers once sent: the answer
        // again is a copy, never that array.
        if (_lastReply is { } last && frame is not null && last.Sequence == frame.Sequence && _lastTimestampUs == frame.DeviceTimestampUs)
            return _lastIsCopied ? last with { Message = (byte[])_lastMessage.Clone() } : last;
        state.FramesIn++;
        if (_edge is not null && state.Config is not null) return ProcessEdge(frame, features, out batch);
        if (_processor is not { } processor || state.Config is not { } config) return Reject(frame, FrameFaults.NotConfigured);
        if (frame is null) return Reject(frame, FrameFaults.Empty);
        var antiNoise = processor.Settings.Mode == CancellerMode.AntiNoise;
        var maxSamples = antiNoise ? Math.Min(options.MaxFrameSamples, processor.Settings.DelaySamples) : options.MaxFrameSamples;
        using var scratch = FrameScratch.Open();
        var decoded = Math.Clamp(frame.SampleCount, 0, maxSamples);
        var first = scratch.Floats(decoded);
        var second = scratch.Floats(decoded);
        var error = FrameCodec.TryDecode(frame, config.SampleRate, maxSamples, options.MaxAbsSample, first, second);
        if (error is not null) return Reject(frame, error);

        // Keep the canceller's clock on the device's: frames that never reached us (dropped past the gateway's
        // deadline, rejected) become silence with nothing played; a frame whose anti-noise the device did not play
        // says so, and the canceller forgets that output (docs/reliability.md, "anti-noise the device did not play").
        // A gap costs at most one longest frame's work (the loop delay D, or this frame in clean mode): D samples of
        // silence flush what was due during the gap from the played history, and more would only repeat zeros.
        if (_lastReply is { } previous && frame.Sequence > previous.Sequence + 1 && frame.Sequence - previous.Sequence <= MaxGapFrames)
            processor.SkipGap((int)Math.Min((frame.Sequence - previous.Sequence - 1) * frame.SampleCount,
                antiNoise ? Math.Max(frame.SampleCount, processor.Settings.DelaySamples) : frame.SampleCount),
                scratch.Floats(_frameCapacity), scratch.Floats(_frameCapacity));
        if (frame.AntiNoiseMissed && antiNoise) processor.MarkNotPlayed(frame.SampleCount);

        var count = frame.SampleCount;
        var x = first;
        var output = scratch.Floats(count);
        var playout = frame.DeviceTimestampUs;
        var alert = AdvanceAlerts(count, config.SampleRate);
        if (antiNoise)
        {
            // d̂ is written out only while a viewer watches or the session records (an empty span otherwise: no work,
            // no allocation).
            var noise = Recorder is not null ? scratch.Floats(count) : _watch.NoiseBuffer(count);
            processor.ProcessAntiNoise(x, second, output, noise);
            _recorded = Recorder?.Add(noise, second);
            playout += (long)Math.Round(processor.Settings.DelaySamples * 1e6 / processor.Settings.SampleRate);
            _watch.Observe(processor.Settings.SampleRate, count, processor.ShortTermReductionDb, _watch.Watching ? noise : default, second);
        }
        else
        {
            processor.ProcessClean(x, second, output);
            _recorded = Recorder?.Add(second, output);
            // Clean mode: the noise is the primary mic, the residual what is returned.
            _watch.Observe(processor.Settings.SampleRate, count, processor.ShortTermReductionDb, _watch.Watching ? second : default, output);
        }
        state.FramesOut++;
        _convergence.Observe(processor);
        batch = features?.Add(frame.Sequence, processor.Settings.SampleRate, x, (float)processor.ShortTermReductionDb);
        var message = WireFrame.WriteAntiNoise(frame.Sequence, playout, frame.Format, output);
        if (_lastMessage.Length != message.Length) _lastMessage = new byte[message.Length];
        message.CopyTo(_lastMessage, 0);
        var reply = new AntiNoiseFrame(frame.Sequence, playout, frame.Format, message, null, alert, _pendingClassification);
        _pendingClassification = null;
        _lastReply = reply;
        _lastIsCopied = true;
        _lastTimestampUs = frame.DeviceTimestampUs;
        return reply;
    }

    /// <summary>
    /// Edge mode: the device played W_v itself; its frame says v. The canceller rebuilds d̂ from that and adapts; the
    /// reply carries a coefficient set when one is due, otherwise no message (nothing waits for a per-frame reply).
    /// A sequence gap (frames lost on the way) restarts the histories: the next frame's tag still says what was played.
    /// </summary>
    private AntiNoiseFrame ProcessEdge(AudioFrame? frame, FeatureBatcher? features, out FeatureBatch? batch)
    {
        batch = null;
        var edge = _edge!;
        var config = state.Config!;
        if (frame is null) return Reject(frame, FrameFaults.Empty);
        if (frame.Edge is not { } tag) return Reject(frame, FrameFaults.EdgeTagMissing);
        using var scratch = FrameScratch.Open();
        var decoded = Math.Clamp(frame.SampleCount, 0, options.MaxFrameSamples);
        var x = scratch.Floats(decoded);
        var e = scratch.Floats(decoded);
        var error = FrameCodec.TryDecode(frame, config.SampleRate, options.MaxFrameSamples, options.MaxAbsSample, x, e);
        if (error is not null) return Reject(frame, error);
        if (_lastReply is { } previous && frame.Sequence > previous.Sequence + 1 && frame.Sequence - previous.Sequence <= MaxGapFrames)
            edge.Gap((int)(frame.Sequence - previous.Sequence - 1) * frame.SampleCount);
        var count = frame.SampleCount;
        var alert = AdvanceAlerts(count, config.SampleRate);
        var noise = Recorder is not null ? scratch.Floats(count) : default;
        var set = edge.Process(x, e, new EdgeTag(tag.Version, tag.FadingFrom, (int)Math.Min(tag.FadeElapsed, int.MaxValue)), noise);
        if (Recorder is not null) _recorded = Recorder.Add(noise, e);
        if (_pendingSet is { } zero && (set is null || set.Version < zero.Version)) set = zero;
        _pendingSet = null;
        state.FramesOut++;
        _watch.Observe(config.SampleRate, count, edge.ShortTermReductionDb, default, default); // edge mode: no d̂ here, no spectra
        batch = features?.Add(frame.Sequence, config.SampleRate, x, (float)edge.ShortTermReductionDb);
        var endUs = frame.DeviceTimestampUs + (long)Math.Round(count * 1e6 / config.SampleRate);
        var message = set is null ? [] : new CoefficientMessage(set.Version, endUs, config.SampleRate, set.CrossfadeSamples, set.Taps).ToBytes();
        var reply = new AntiNoiseFrame(frame.Sequence, endUs, frame.Format, message, null, alert, _pendingClassification);
        _pendingClassification = null;
        _lastReply = reply;
        _lastIsCopied = false;
        _lastTimestampUs = frame.DeviceTimestampUs;
        return reply;
    }

    /// <summary>Records d̂ and the residual of every accepted frame while set (opt-in; docs/recordings.md); null: not recording.</summary>
    public SessionRecorder? Recorder { get; set; }

    /// <summary>The recording chunk the last frame completed, once (then null).</summary>
    public RecordedChunk? TakeRecordedChunk()
    {
        var chunk = _recorded;
        _recorded = null;
        return chunk;
    }

    /// <summary>The reason of the last rejection, for the stats.</summary>
    public string? LastError { get; private set; }

    private AntiNoiseFrame Reject(AudioFrame? frame, string reason)
    {
        state.FramesRejected++;
        LastError = reason;
        return AntiNoiseFrame.Rejected(frame?.Sequence ?? -1, reason);
    }

    public SessionStats Stats()
    {
        var p = _processor;
        var config = state.Config;
        if (_edge is { } edge)
            return new SessionStats(sessionId, state.FramesIn, state.FramesOut, state.FramesRejected,
                edge.ShortTermReductionDb, edge.ReductionSinceStartDb,
                edge.Passthrough ? ConvergenceState.Passthrough
                : edge.SamplesAdapted == 0 ? ConvergenceState.Converging : edge.Converged ? ConvergenceState.Converged : ConvergenceState.Converging,
                "nlms", "edge", 1, edge.Resets, state.Restores, LastError, state.Classification?.Label, state.Profile)
            { CoefficientSets = edge.SetsSent, CoefficientVersion = edge.LatestVersion, Migrations = state.Migrations };
        return new SessionStats(sessionId, state.FramesIn, state.FramesOut, state.FramesRejected,
            p?.ShortTermReductionDb ?? 0, p?.ReductionSinceStartDb ?? 0, _convergence.StateOf(p, _passthrough),
            config?.Algorithm ?? "", config?.Mode ?? "", p?.OutputGain ?? 0, p?.Resets ?? 0, state.Restores, LastError,
            state.Classification?.Label, state.Profile)
        { NoiseEnergy = p?.NoiseEnergy ?? 0, ResidualEnergy = p?.ResidualEnergy ?? 0, Migrations = state.Migrations };
    }

    /// <summary>A viewer watches: the spectra run for the next <paramref name="seconds"/> of audio.</summary>
    public void Watch(int seconds)
    {
        if (state.Config is { } config) _watch.Watch(config.SampleRate, _frameCapacity, seconds);
    }

    /// <summary>Short-term reduction once per second of audio, oldest first (the last <see cref="SessionWatch.HistorySeconds"/>).</summary>
    public float[] ReductionHistory() => _watch.History();

    /// <summary>The live spectra, or null when nobody has watched long enough (or in edge mode).</summary>
    public SessionSpectrum? Spectrum() => _watch.Spectrum();

    /// <summary>Forgets the adaptation, keeps the configuration.</summary>
    public void Reset()
    {
        _processor?.Reset();
        _edge?.Reset();
        _convergence.Reset();
    }

    /// <summary>
    /// Fades the anti-noise out (true) or back in. In edge mode the device plays its own filter: a zero set goes out
    /// with the next reply (and the device fades on the alert event itself, see docs/protocol.md), and no other
    /// set is sent until the passthrough ends.
    /// </summary>
    public void SetPassthrough(bool passthrough)
    {
        _manualPassthrough = passthrough;
        ApplyPassthrough();
    }

    private void ApplyPassthrough()
    {
        var passthrough = _manualPassthrough || _alerts.Passthrough;
        if (passthrough == _passthrough) return;
        _passthrough = passthrough;
        _processor?.Passthrough(passthrough);
        if (_edge?.SetPassthrough(passthrough) is { } zero) _pendingSet = zero;
    }

    /// <summary>
    /// Records the detector's alert (<see cref="AlertLedger.Record"/>): news for the device is queued for it (sent with
    /// the next reply, again until acknowledged) and fades the anti-noise out or back in. Returns the stored alert, or
    /// null when it only confirmed what was known. The grain writes the checkpoint before the next reply.
    /// </summary>
    public EmergencyAlert? Alert(EmergencyAlert alert)
    {
        var stored = _alerts.Record(alert);
        if (stored is not null) ApplyPassthrough();
        return stored;
    }

    /// <summary>The device acknowledged an alert (<c>alertAck</c>).</summary>
    public bool AcknowledgeAlert(string alertId) => _alerts.Acknowledge(alertId);

    private EmergencyAlert? AdvanceAlerts(int samples, int sampleRate)
    {
        var alert = _alerts.Advance((double)samples / sampleRate, out var changed);
        if (changed) ApplyPassthrough();
        return alert;
    }

    /// <summary>
    /// Records the classifier's verdict and sends it with the next reply. When it asks for a profile the session
    /// allows, retunes: a profile that keeps the filter's shape (length, branches, K) is applied in place (only the
    /// step sizes change, every weight stays); one that changes the shape starts the filter afresh, which suits a
    /// noise that has changed. Returns whether a new profile was applied, and whether the weights were kept.
    /// </summary>
    public (bool Applied, bool WeightsKept) Classify(NoiseClassification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        state.Classification = classification;
        _pendingClassification = classification;
        if (!classification.ApplyProfile || state.Config is not { AutoProfile: true } config || _processor is not { } previous
            || previous.Settings.Mode != CancellerMode.AntiNoise || classification.Profile == state.Profile)
            return (false, false);
        var settings = SettingsFor(config, classification.Profile); // throws on an unknown profile before anything changes
        state.Profile = classification.Profile;
        var kept = previous.TryRetune(settings);
        if (!kept) Build(config);
        return (true, kept);
    }

    /// <summary>Copies the filter state into the checkpoint (float32 little-endian bytes).</summary>
    public void SaveFilterState()
    {
        var saved = _edge?.SaveState() ?? _processor?.SaveState();
        if (saved is not null) state.FilterState = MemoryMarshal.AsBytes(saved.AsSpan()).ToArray();
    }
}
