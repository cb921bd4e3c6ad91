using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Grains.Sessions;

namespace AncOrleans.Tests;

/// <summary>
/// A session's alerts through <see cref="SessionPipeline"/> and its <see cref="AlertLedger"/>: stored with the
/// checkpoint, re-sent until acknowledged, confirmations merged, and the passthrough carried across a restore
/// (what a failover does: a new pipeline on the same checkpoint).
/// </summary>
public sealed class DurableAlertTests
{
    private const int Rate = 48_000, Frame = 480;
    private static readonly float[] Silence = new float[Frame];
    private static readonly SessionGrainOptions Options = new() { AlertResendSeconds = 1, AlertExpirySeconds = 10, RestoredAlertHoldSeconds = 5 };

    private static SessionPipeline Start(SessionCheckpoint state, bool restore = false)
    {
        var pipeline = new SessionPipeline("alerts", Options, state);
        if (restore) pipeline.Restore();
        else pipeline.Configure(new SessionConfig(SampleRate: Rate));
        return pipeline;
    }

    /// <summary>Runs <paramref name="seconds"/> of silence and returns the alerts the replies carried.</summary>
    private static List<EmergencyAlert> Run(SessionPipeline pipeline, double seconds, ref uint sequence)
    {
        var carried = new List<EmergencyAlert>();
        for (var i = 0; i < seconds * Rate / Frame; i++, sequence++)
        {
            var reply = pipeline.Process(new AudioFrame(sequence, sequence * 10_000L, Rate, SampleFormat.Float32, Frame,
                FrameCodec.EncodeStereo(Silence, Silence, SampleFormat.Float32)), null, out _);
            Assert.True(reply.Accepted, reply.Error);
            if (reply.Alert is { } alert) carried.Add(alert);
        }
        return carried;
    }

    [Fact]
    public void An_alert_is_re_sent_until_acknowledged_and_a_confirmation_is_not_a_new_alert()
    {
        var state = new SessionCheckpoint();
        var pipeline = Start(state);
        uint sequence = 0;
        var stored = pipeline.Alert(new EmergencyAlert("detector", "siren", DateTime.UtcNow, 1, true));
        Assert.NotNull(stored);
        Assert.Equal("alerts#1", stored!.AlertId);
        Assert.Equal("alerts", stored.SessionId);
        Assert.True(pipeline.Alerts.Unsaved);               // the grain writes the checkpoint before the next reply
        Assert.Single(state.UnackedAlerts);
        Assert.Equal(["siren"], state.ActiveAlertKinds);
        Assert.Equal(ConvergenceState.Passthrough, pipeline.Stats().ConvergenceState);

        // Not acknowledged: with the next reply, then once a second.
        var carried = Run(pipeline, 3.05, ref sequence);
        Assert.Equal(4, carried.Count);
        Assert.All(carried, a => Assert.Equal("alerts#1", a.AlertId));
        // The detector re-asserts the siren: a confirmation, nothing new.
        Assert.Null(pipeline.Alert(new EmergencyAlert("detector", "siren", DateTime.UtcNow, 3, true)));
        Assert.True(pipeline.AcknowledgeAlert("alerts#1"));
        Assert.False(pipeline.AcknowledgeAlert("alerts#1"));
        Assert.Empty(Run(pipeline, 2, ref sequence));
        Assert.Equal(ConvergenceState.Passthrough, pipeline.Stats().ConvergenceState);

        // The clear is an alert of its own; a clear of a kind not in force is ignored.
        Assert.Null(pipeline.Alert(new EmergencyAlert("detector", "car_horn", DateTime.UtcNow, 5, false)));
        var cleared = pipeline.Alert(new EmergencyAlert("detector", "siren", DateTime.UtcNow, 5, false));
        Assert.Equal("alerts#2", cleared!.AlertId);
        Assert.False(cleared.Active);
        Assert.Empty(state.ActiveAlertKinds);
        Assert.NotEqual(ConvergenceState.Passthrough, pipeline.Stats().ConvergenceState);
        Assert.Equal("alerts#2", Assert.Single(Run(pipeline, 0.5, ref sequence)).AlertId);
    }

    [Fact]
    public void An_unacknowledged_alert_expires()
    {
        var state = new SessionCheckpoint();
        var pipeline = Start(state);
        uint sequence = 0;
        pipeline.Alert(new EmergencyAlert("detector", "smoke_alarm", DateTime.UtcNow, 1, true));
        var carried = Run(pipeline, 12, ref sequence);
        Assert.Equal(10, carried.Count);                     // at 0, 1, …, 9 s; dropped after 10 s
        Assert.Empty(state.UnackedAlerts);
        Assert.Equal(1, pipeline.Alerts.Expired);
        Assert.Equal(["smoke_alarm"], state.ActiveAlertKinds); // expiry ends the re-sending, not the alert
    }

    [Fact]
    public void After_a_restore_the_passthrough_holds_and_the_unacknowledged_alert_is_sent_again()
    {
        var state = new SessionCheckpoint();
        var before = Start(state);
        uint sequence = 0;
        before.Alert(new EmergencyAlert("detector", "siren", DateTime.UtcNow, 1, true));
        Run(before, 0.5, ref sequence);
        before.SaveFilterState();

        // The silo dies; a new activation restores from the checkpoint.
        var after = Start(state, restore: true);
        Assert.Equal(ConvergenceState.Passthrough, after.Stats().ConvergenceState);
        var carried = Run(after, 2.05, ref sequence);
        Assert.Equal(3, carried.Count);                      // due at once after the restore, then once a second
        Assert.All(carried, a => Assert.Equal("alerts#1", a.AlertId));
        // The restarted detector hears the siren again: a confirmation. The passthrough outlives the hold.
        Assert.Null(after.Alert(new EmergencyAlert("detector", "siren", DateTime.UtcNow, 2, true)));
        after.AcknowledgeAlert("alerts#1");
        Assert.Empty(Run(after, 6, ref sequence));
        Assert.Equal(ConvergenceState.Passthrough, after.Stats().ConvergenceState);
    }

    [Fact]
    public void After_a_restore_an_alert_nobody_confirms_is_cleared_when_the_hold_ends()
    {
        var state = new SessionCheckpoint();
        var before = Start(state);
        uint sequence = 0;
        before.Alert(new EmergencyAlert("detector", "siren", DateTime.UtcNow, 1, true));
        before.AcknowledgeAlert("alerts#1");
        before.SaveFilterState();

        var after = Start(state, restore: true);
        Assert.Empty(Run(after, 4.9, ref sequence));
        Assert.Equal(ConvergenceState.Passthrough, after.Stats().ConvergenceState);
        var cleared = Assert.Single(Run(after, 0.2, ref sequence));
        Assert.False(cleared.Active);
        Assert.Equal("siren", cleared.Kind);
        Assert.Equal("alerts#2", cleared.AlertId);
        Assert.NotEqual(ConvergenceState.Passthrough, after.Stats().ConvergenceState);
    }
}
