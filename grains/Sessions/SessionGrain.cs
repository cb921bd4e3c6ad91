using AncOrleans.Abstractions.Protocol;
using System.Runtime.InteropServices;
using AncOrleans.Abstractions;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// One device session. Owns the <see cref="AncProcessor"/> (filter state), answers each frame with anti-noise,
/// checkpoints config + coefficients every <c>CheckpointSeconds</c> and on deactivation (never per frame), and
/// publishes per-frame features for the classifier and emergency grains.
/// </summary>
internal sealed class SessionGrain(
    [PersistentState("session", StorageNames.Sessions)] IPersistentState<SessionCheckpoint> checkpoint,
    IOptions<SessionGrainOptions> options,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    private readonly SessionGrainOptions _options = options.Value;
    private AncProcessor? _processor;
    private SessionConfig? _config;
    private float[] _first = [], _second = [], _output = [], _gapZeros = [];
    private FeaturePublisher? _features;
    private bool _dirty;
    private string? _lastError;
    private double _convergenceMark = double.NaN;
    private long _markSamples;
    private bool _converged;
    private EmergencyAlert? _pendingAlert;                  // to go out with the next reply
    private bool _passthrough;
    private NoiseClassification? _pendingClassification;    // to go out with the next reply
    private AntiNoiseFrame? _lastReply;                     // the last frame's answer, for a re-sent frame
    private long _lastTimestampUs;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (checkpoint.State.Config is { } config)
        {
            Build(config);
            try
            {
                _processor!.LoadState(MemoryMarshal.Cast<byte, float>(checkpoint.State.FilterState.AsSpan()));
                checkpoint.State.Restores++;
                logger.LogInformation("Session {Session} restored from checkpoint ({Restores} restores)", this.GetPrimaryKeyString(), checkpoint.State.Restores);
            }
            catch (ArgumentException e)
            {
                logger.LogWarning("Session {Session}: checkpoint not usable ({Reason}); starting from zero", this.GetPrimaryKeyString(), e.Message);
            }
        }
        if (!string.IsNullOrEmpty(_options.StreamProvider))
            _features = new FeaturePublisher(this.GetStreamProvider(_options.StreamProvider)
                .GetStream<FrameFeatures>(StreamId.Create(FrameFeatures.StreamNamespace, this.GetPrimaryKeyString())), this.GetPrimaryKeyString(), logger);
        var period = TimeSpan.FromSeconds(Math.Max(0.1, _options.CheckpointSeconds));
        this.RegisterGrainTimer(CheckpointAsync, period, period);
        await base.OnActivateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _dirty = _config is not null;
        await CheckpointAsync(cancellationToken);
        if (_features is not null) await _features.DrainAsync(TimeSpan.FromSeconds(1));
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    public async Task ConfigureAsync(SessionConfig config)
    {
        var previous = _processor;
        Build(config);
        if (previous is not null && previous.StateLength == _processor!.StateLength && SameShape(_config, config))
            _processor.LoadState(previous.SaveState());
        _config = config;
        _lastReply = null;
        checkpoint.State.Config = config;
        _dirty = true;
        await CheckpointAsync(CancellationToken.None);
    }

    private static bool SameShape(SessionConfig? a, SessionConfig b) =>
        a is not null && a.SampleRate == b.SampleRate && a.FilterLength == b.FilterLength && a.Algorithm == b.Algorithm && a.Mode == b.Mode;

    /// <summary>The configuration's settings with the classifier's profile applied, when allowed.</summary>
    private AncSettings SettingsFor(SessionConfig config, string? profile)
    {
        var settings = SessionSettings.From(config); // throws ArgumentException with the reason
        return profile is not null && config.AutoProfile && settings.Mode == CancellerMode.AntiNoise
            ? AncProfile.Named(profile).ApplyTo(settings)
            : settings;
    }

    private void Build(SessionConfig config)
    {
        var settings = SettingsFor(config, checkpoint.State.Profile);
        _processor = new AncProcessor(settings);
        _processor.Passthrough(_passthrough);
        _config = config;
        var capacity = Math.Max(_options.MaxFrameSamples, config.FrameSamples);
        _first = new float[capacity];
        _second = new float[capacity];
        _output = new float[capacity];
        _gapZeros = new float[capacity];
    }

    // Synchronous: the reply never waits for I/O (features are queued, checkpoints run on a timer).
    public Task<AntiNoiseFrame> ProcessAsync(AudioFrame frame) => Task.FromResult(Process(frame));

    private AntiNoiseFrame Process(AudioFrame frame)
    {
        // A frame sent again (same sequence and timestamp: its first call failed on the way back) is answered
        // again, not processed twice.
        if (_lastReply is { } last && frame is not null && last.Sequence == frame.Sequence && _lastTimestampUs == frame.DeviceTimestampUs)
            return last;
        checkpoint.State.FramesIn++;
        if (_processor is null || _config is null) return Reject(frame, "session is not configured: call configure (the start message) first");
        if (frame is null) return Reject(frame, "missing frame");
        var maxSamples = _processor.Settings.Mode == CancellerMode.AntiNoise
            ? Math.Min(_options.MaxFrameSamples, _processor.Settings.DelaySamples)
            : _options.MaxFrameSamples;
        var error = FrameCodec.TryDecode(frame, _config.SampleRate, maxSamples, _options.MaxAbsSample, _first, _second);
        if (error is not null) return Reject(frame, error);

        // Keep the canceller's clock on the device's: frames that never reached us (dropped past the gateway's
        // deadline, rejected) become silence with nothing played; a frame whose anti-noise the device did not play
        // says so, and the canceller forgets that output (docs/reliability.md, "anti-noise the device did not play").
        if (_lastReply is { } previous && frame.Sequence > previous.Sequence + 1 && frame.Sequence - previous.Sequence <= 100)
            _processor.SkipGap((int)(frame.Sequence - previous.Sequence - 1) * frame.SampleCount, _gapZeros, _output);
        if (frame.AntiNoiseMissed && _processor.Settings.Mode == CancellerMode.AntiNoise) _processor.MarkNotPlayed(frame.SampleCount);

        var (reply, features) = Run(frame);
        _lastReply = reply;
        _lastTimestampUs = frame.DeviceTimestampUs;
        _features?.Publish(features);
        return reply;
    }

    private (AntiNoiseFrame Reply, FrameFeatures Features) Run(AudioFrame frame)
    {
        var processor = _processor!;
        var count = frame.SampleCount;
        var x = _first.AsSpan(0, count);
        var second = _second.AsSpan(0, count);
        var output = _output.AsSpan(0, count);
        long playout;
        if (processor.Settings.Mode == CancellerMode.AntiNoise)
        {
            processor.ProcessAntiNoise(x, second, output);
            playout = frame.DeviceTimestampUs + (long)Math.Round(processor.Settings.DelaySamples * 1e6 / processor.Settings.SampleRate);
        }
        else
        {
            processor.ProcessClean(x, second, output);
            playout = frame.DeviceTimestampUs;
        }
        checkpoint.State.FramesOut++;
        _dirty = true;
        TrackConvergence();
        var features = new FrameFeatures(this.GetPrimaryKeyString(), frame.Sequence, frame.DeviceTimestampUs, processor.Settings.SampleRate,
            Rms(x), Rms(second), (float)processor.ShortTermReductionDb, _features is null ? [] : FrameCodec.ToPcm16(x));
        var alert = _pendingAlert;
        _pendingAlert = null;
        var classification = _pendingClassification;
        _pendingClassification = null;
        return (new AntiNoiseFrame(frame.Sequence, playout, frame.Format, FrameCodec.Encode(output, frame.Format), null, alert, classification), features);
    }

    private AntiNoiseFrame Reject(AudioFrame? frame, string reason)
    {
        checkpoint.State.FramesRejected++;
        _lastError = reason;
        logger.LogDebug("Session {Session} rejected frame {Sequence}: {Reason}", this.GetPrimaryKeyString(), frame?.Sequence, reason);
        return AntiNoiseFrame.Rejected(frame?.Sequence ?? -1, reason);
    }

    private void TrackConvergence()
    {
        var processor = _processor!;
        if (processor.SamplesProcessed - _markSamples < processor.Settings.SampleRate / 4) return;
        var now = processor.ShortTermReductionDb;
        _converged = !double.IsNaN(_convergenceMark) && Math.Abs(now - _convergenceMark) < 1.0;
        _convergenceMark = now;
        _markSamples = processor.SamplesProcessed;
    }

    private static float Rms(ReadOnlySpan<float> samples)
    {
        double sum = 0;
        foreach (var value in samples) sum += value * value;
        return (float)Math.Sqrt(sum / Math.Max(1, samples.Length));
    }

    public Task<SessionStats> GetStatsAsync()
    {
        var p = _processor;
        var state = p is null ? "unconfigured"
            : p.IsPassthrough || _passthrough ? "passthrough"
            : p.SamplesProcessed > p.Settings.SampleRate / 2 && p.OutputGain < 0.05f ? "backed-off"
            : _converged ? "converged" : "converging";
        return Task.FromResult(new SessionStats(
            this.GetPrimaryKeyString(), checkpoint.State.FramesIn, checkpoint.State.FramesOut, checkpoint.State.FramesRejected,
            p?.ShortTermReductionDb ?? 0, p?.ReductionSinceStartDb ?? 0, state,
            _config?.Algorithm ?? "", _config?.Mode ?? "", p?.OutputGain ?? 0, p?.Resets ?? 0, checkpoint.State.Restores, _lastError,
            checkpoint.State.Classification?.Label, checkpoint.State.Profile));
    }

    public async Task ResetAsync()
    {
        _processor?.Reset();
        _converged = false;
        _convergenceMark = double.NaN;
        _markSamples = 0;
        _dirty = true;
        await CheckpointAsync(CancellationToken.None);
    }

    public async Task EndAsync()
    {
        _processor = null;
        _config = null;
        _dirty = false;
        await checkpoint.ClearStateAsync();
        checkpoint.State = new SessionCheckpoint();
        this.DeactivateOnIdle();
    }

    public Task SetPassthroughAsync(bool passthrough)
    {
        _passthrough = passthrough;
        _processor?.Passthrough(passthrough);
        return Task.CompletedTask;
    }

    public Task RaiseAlertAsync(EmergencyAlert alert)
    {
        logger.LogWarning("Session {Session}: {Kind} {State} at {Seconds:0.00} s of audio", this.GetPrimaryKeyString(), alert.Kind, alert.Active ? "detected" : "cleared", alert.AudioSeconds);
        checkpoint.State.Alerts.Add(alert);
        if (checkpoint.State.Alerts.Count > 100) checkpoint.State.Alerts.RemoveAt(0);
        _pendingAlert = alert;
        _dirty = true;
        return SetPassthroughAsync(alert.Active);
    }

    public Task ClassifyAsync(NoiseClassification classification)
    {
        ArgumentNullException.ThrowIfNull(classification);
        checkpoint.State.Classification = classification;
        _pendingClassification = classification;
        _dirty = true;
        if (!classification.ApplyProfile || _config is not { AutoProfile: true } config || _processor is not { } previous
            || previous.Settings.Mode != CancellerMode.AntiNoise || classification.Profile == checkpoint.State.Profile)
            return Task.CompletedTask;
        // Retune: a profile that keeps the filter's shape (length, branches, K) is applied in place — only the step
        // sizes change, every weight stays; one that changes the shape starts the filter afresh, which suits a
        // noise that has changed (the old weights describe the old noise).
        var settings = SettingsFor(config, classification.Profile); // throws on an unknown profile before anything changes
        var before = checkpoint.State.Profile;
        checkpoint.State.Profile = classification.Profile;
        var kept = previous.TryRetune(settings);
        if (!kept) Build(config);
        logger.LogInformation("Session {Session}: noise {Label} ({Confidence:P0}), profile {Before} → {Profile}, weights {Kept}",
            this.GetPrimaryKeyString(), classification.Label, classification.Confidence, before ?? "(configured)", classification.Profile, kept ? "kept" : "restarted");
        return Task.CompletedTask;
    }

    public Task<EmergencyAlert[]> GetAlertsAsync() => Task.FromResult(checkpoint.State.Alerts.ToArray());

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        if (!_dirty) return;
        _dirty = false;
        if (_processor is not null)
            checkpoint.State.FilterState = MemoryMarshal.AsBytes(_processor.SaveState().AsSpan()).ToArray();
        try
        {
            await checkpoint.WriteStateAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _dirty = true; // try again at the next tick; audio keeps flowing meanwhile
            logger.LogWarning(e, "Session {Session}: checkpoint failed", this.GetPrimaryKeyString());
        }
    }
}
