using System.Diagnostics;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Recordings;
using AncOrleans.Grains.Recordings;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// One device session: the Orleans side of a <see cref="SessionPipeline"/> (which owns the filter and answers each
/// frame). The grain persists the pipeline's checkpoint every <c>CheckpointSeconds</c> and on deactivation (never
/// per frame) and sends the frames' reference mic, in batches of <c>FeatureBatchMs</c>, to the session's emergency
/// grain, off the reply path (direct calls: no stream, no cache holding per-frame data); that grain forwards each
/// classifier window it computes to the session's classifier grain (one recognition pass per session, issue 13).
/// </summary>
internal sealed class SessionGrain(
    [PersistentState("session", StorageNames.Sessions)] IPersistentState<SessionCheckpoint> checkpoint,
    IOptions<SessionGrainOptions> options,
    ILogger<SessionGrain> logger,
    IRecordingStore recordings,
    IOptions<RecordingOptions> recordingOptions,
    IClusterMembershipService membership,
    LocalSessions localSessions) : Grain, ISessionGrain, IGrainMigrationParticipant
{
    private const string MigratedFromKey = "anc.session.from";
    private SessionPipeline _pipeline = null!;
    private FeatureBatcher? _batcher;
    private FeaturePublisher<FeatureBatch>? _emergency;
    private bool _dirty;
    private SessionRecording _recording = null!;
    private string? _migratedFrom;
    private LocalSession? _local;           // this activation in the silo's registry (its last frame, for the evacuation order)
    private Task? _writing;                 // the checkpoint write in flight, if any

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var settings = options.Value;
        _pipeline = new SessionPipeline(Id, settings, checkpoint.State);
        _recording = new SessionRecording(Id, recordings, recordingOptions.Value, logger);
        try
        {
            _pipeline.Restore(migrated: _migratedFrom is not null);
            if (_migratedFrom is not null) logger.LogInformation("Session {Session} migrated from {Silo} with its state (restored in {Ms:0.0} ms)", Id, _migratedFrom, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            else if (_pipeline.IsConfigured) logger.LogInformation("Session {Session} restored from checkpoint ({Restores} restores)", Id, checkpoint.State.Restores);
        }
        catch (ArgumentException e)
        {
            logger.LogWarning("Session {Session}: checkpoint not usable ({Reason}); starting from zero", Id, e.Message);
        }
        if (settings.PublishFeatures)
        {
            _batcher = new FeatureBatcher(Id, settings.FeatureBatchMs, stagger: true);
            var emergency = GrainFactory.GetGrain<IEmergencyGrain>(Id);
            _emergency = new FeaturePublisher<FeatureBatch>(emergency.PushAsync, Id, "emergency detector", logger, delivered: _batcher.Return);
        }
        var period = TimeSpan.FromSeconds(Math.Max(0.1, settings.CheckpointSeconds));
        // Staggered: sessions started together (a gateway's restart, a burst of devices) would otherwise all write
        // their checkpoints in the same tick.
        // Interleaving: the session answers frames while its checkpoint is on its way to storage (a write that waits
        // on a slow DynamoDB no longer holds the frames queued behind it; the state is serialised before the write's
        // first await, and CheckpointAsync keeps one write in flight at a time).
        this.RegisterGrainTimer(CheckpointAsync, new GrainTimerCreationOptions(period * (0.5 + Random.Shared.NextDouble()), period) { Interleave = true });
        _local = localSessions.Add(GrainContext);
        await base.OnActivateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Moved, not ended: the silo is leaving (SIGTERM, scale-in), or the silo that held the session's directory entry
        // is (Orleans' default directory then deactivates the activations it registered, wherever they run). The
        // session's frames are waiting, so it goes now: the last features are sent, not waited for (an alert in force
        // is in the checkpoint), and it migrates — Orleans places it on another silo once this method returns, carries
        // the persistent state (the filter, saved below) in memory and forwards the frames queued meanwhile. Should no
        // other silo take it, it is deactivated as before and restored from the checkpoint written below.
        // (Migrating: SessionEvacuation started the move before the silo announced its leave.)
        localSessions.Remove(GrainContext);
        var moving = reason.ReasonCode is DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.DirectoryFailure or DeactivationReasonCode.Migrating;
        var target = moving && reason.ReasonCode != DeactivationReasonCode.Migrating && options.Value.MigrateOnShutdown && _pipeline.IsConfigured
            ? MigrationTarget.Hint(membership.CurrentSnapshot, GrainContext.Address.SiloAddress, Random.Shared)
            : null;
        if (target is not null) GrainContext.Migrate(target);
        var migrating = target is not null || reason.ReasonCode == DeactivationReasonCode.Migrating;
        var started = Stopwatch.GetTimestamp();
        // A checkpoint write in flight (the timer interleaves) finishes first: its new ETag must be the one the
        // state carries away, or every later write would conflict.
        await WriteFinishedAsync();
        _dirty = _pipeline.IsConfigured;
        // Migrating, the state goes in memory: a storage write here would hold every queued frame for its round trip
        // (6–130 ms measured on DynamoDB Local with a silo's sessions leaving at once). Should the migration then fail,
        // Orleans logs it and the session is restored from its last periodic checkpoint (≤ CheckpointSeconds old).
        if (migrating) _pipeline.SaveFilterState();
        else await CheckpointAsync(cancellationToken);
        var checkpointed = Stopwatch.GetElapsedTime(started);
        if (_batcher?.Flush() is { } rest) _emergency!.Publish(rest);
        var drain = moving ? TimeSpan.Zero : TimeSpan.FromSeconds(1);
        if (_emergency is not null) await _emergency.DrainAsync(drain);
        await _recording.StopAsync(_pipeline);
        if (reason.ReasonCode != DeactivationReasonCode.ActivationIdle && _pipeline.IsConfigured)
            logger.LogInformation("Session {Session} deactivated in {Ms:0.0} ms (checkpoint {CheckpointMs:0.0} ms; {Reason}: {Text}){Migrating}",
                Id, Stopwatch.GetElapsedTime(started).TotalMilliseconds, checkpointed.TotalMilliseconds, reason.ReasonCode, reason.Description, migrating ? ", migrating" : "");
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    // The persistent state (config, filter, alerts) travels by itself (Orleans' state bridge is a migration participant);
    // the grain adds only where it came from, so the new activation knows it was not restored from storage.
    void IGrainMigrationParticipant.OnDehydrate(IDehydrationContext dehydrationContext) =>
        dehydrationContext.TryAddValue(MigratedFromKey, RuntimeIdentity);

    void IGrainMigrationParticipant.OnRehydrate(IRehydrationContext rehydrationContext) =>
        _migratedFrom = rehydrationContext.TryGetValue(MigratedFromKey, out string? from) ? from : null;

    public async Task ConfigureAsync(SessionConfig config)
    {
        _pipeline.Configure(config);
        _dirty = true;
        await CheckpointAsync(CancellationToken.None);
        // The emergency grain activated and its detector built now, not on the stream's first batch: a burst of devices
        // starting together (a scale-out, a reconnect storm) would otherwise pay for all of them in their first second.
        if (_emergency is not null) await GrainFactory.GetGrain<IEmergencyGrain>(Id).PrepareAsync(config.SampleRate);
    }

    // Synchronous: the reply never waits for I/O (features are queued, checkpoints run on a timer) — except a
    // reply carrying an alert not yet stored (one the session itself cleared): stored first, then delivered.
    public Task<AntiNoiseFrame> ProcessAsync(AudioFrame frame)
    {
        var reply = _pipeline.Process(frame, _batcher, out var batch);
        _local?.Frame();
        if (reply.Accepted) _dirty = true;
        else logger.LogDebug("Session {Session} rejected frame {Sequence}: {Reason}", Id, frame?.Sequence, reply.Error);
        if (batch is not null) _emergency!.Publish(batch);
        if (_pipeline.TakeRecordedChunk() is { } chunk) _recording.Write(chunk);
        return reply.Alert is not null && _pipeline.Alerts.Unsaved ? StoreThenReplyAsync(reply) : Task.FromResult(reply);
    }

    private async Task<AntiNoiseFrame> StoreThenReplyAsync(AntiNoiseFrame reply)
    {
        await CheckpointAsync(CancellationToken.None);
        return reply;
    }

    public Task<SessionStats> GetStatsAsync() => Task.FromResult(_pipeline.Stats());

    public Task ResetAsync()
    {
        _pipeline.Reset();
        _dirty = true;
        return CheckpointAsync(CancellationToken.None);
    }

    public async Task EndAsync()
    {
        await _recording.StopAsync(_pipeline);
        _dirty = false;
        await checkpoint.ClearStateAsync();
        checkpoint.State = new SessionCheckpoint();
        _pipeline = new SessionPipeline(Id, options.Value, checkpoint.State);
        this.DeactivateOnIdle();
    }

    public Task SetPassthroughAsync(bool passthrough)
    {
        _pipeline.SetPassthrough(passthrough);
        return Task.CompletedTask;
    }

    // Stored before it is delivered: the next reply (which carries it) waits for this call (the grain is not reentrant).
    // A failed write is logged and the alert still goes out: the device hearing the siren comes first.
    public async Task RaiseAlertAsync(EmergencyAlert alert)
    {
        if (_pipeline.Alert(alert) is not { } stored) return; // a confirmation of what is in force
        logger.LogWarning("Session {Session}: {Kind} {State} at {Seconds:0.00} s of audio (alert {AlertId})", Id, stored.Kind, stored.Active ? "detected" : "cleared", stored.AudioSeconds, stored.AlertId);
        _dirty = true;
        await CheckpointAsync(CancellationToken.None);
    }

    public Task AcknowledgeAlertAsync(string alertId)
    {
        if (_pipeline.AcknowledgeAlert(alertId)) _dirty = true;
        return Task.CompletedTask;
    }

    public Task ClassifyAsync(NoiseClassification classification)
    {
        var before = checkpoint.State.Profile;
        var (applied, kept) = _pipeline.Classify(classification);
        _dirty = true;
        if (applied)
            logger.LogInformation("Session {Session}: noise {Label} ({Confidence:P0}), profile {Before} → {Profile}, weights {Kept}",
                Id, classification.Label, classification.Confidence, before ?? "(configured)", classification.Profile, kept ? "kept" : "restarted");
        return Task.CompletedTask;
    }

    public Task<bool> SetRecordingAsync(bool on) => _recording.SetAsync(_pipeline, on);

    public Task<EmergencyAlert[]> GetAlertsAsync() => Task.FromResult(checkpoint.State.Alerts.ToArray());

    public Task<SessionOverview> GetOverviewAsync() => Task.FromResult(Overview());

    public Task<SessionView> WatchAsync()
    {
        _pipeline.Watch(ISessionGrain.SpectrumWatchSeconds);
        return Task.FromResult(new SessionView(Overview(), _pipeline.ReductionHistory(), _pipeline.Spectrum(), checkpoint.State.Alerts.ToArray()));
    }

    private SessionOverview Overview()
    {
        var alerts = checkpoint.State.Alerts;
        return new SessionOverview(_pipeline.Stats(), RuntimeIdentity, alerts.Count, alerts.Count == 0 ? null : alerts[^1]);
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        // One write at a time (each is conditional on the last one's ETag); a change made meanwhile is written next.
        await WriteFinishedAsync();
        if (!_dirty) return;
        _dirty = false;
        _pipeline.SaveFilterState();
        var alerts = _pipeline.Alerts.Changes;
        var write = checkpoint.WriteStateAsync(cancellationToken);
        _writing = write;
        try
        {
            await write;
            _pipeline.Alerts.Saved(alerts);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _dirty = true; // try again at the next tick; audio keeps flowing meanwhile
            logger.LogWarning(e, "Session {Session}: checkpoint failed", Id);
        }
    }

    // Waits for the checkpoint write in flight, if any (its failure is the writer's to handle), on the grain's scheduler.
    private async Task WriteFinishedAsync()
    {
        while (_writing is { IsCompleted: false } inFlight)
            await inFlight.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }
}
