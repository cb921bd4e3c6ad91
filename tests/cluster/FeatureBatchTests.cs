using System.Collections.Concurrent;
using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Tests;

/// <summary>
/// A session sends its accepted frames' reference mic to its emergency grain in batches of 100 ms (one call per
/// batch, not a message per frame; the first one shorter, by the session's phase), in order, and flushes the rest when it deactivates. Its classifier grain gets no
/// audio (the emergency grain forwards it the classifier windows: ClassifierSessionTests).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class FeatureBatchTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Accepted_frames_reach_the_emergency_grain_in_100_ms_batches()
    {
        var id = "features-" + Guid.NewGuid();
        var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>(id);
        var device = new ClosedLoopDevice(Scenarios.Create("hum", 48_000, 1, 20), 960);
        await grain.ConfigureAsync(device.Config());
        await device.RunAsync(grain, 0.55);                                                           // 55 frames of 10 ms
        await grain.ProcessAsync(new AudioFrame(999, 0, 16_000, SampleFormat.Float32, 1, new byte[8])); // rejected: no features

        // The first batch is cut short by the session's phase (1–10 frames: sessions that start together spread
        // their batches), then 100 ms each; what is left waits for 100 ms.
        var first = 1 + AncOrleans.Grains.Sessions.SessionPhase.Of(id, 10);
        long[] starts = [0, .. Enumerable.Range(0, (55 - first) / 10).Select(k => (long)(first + 10 * k))];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Batches(id, nameof(IEmergencyGrain)).Length < starts.Length && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        {
            var batches = Batches(id, nameof(IEmergencyGrain));
            Assert.Equal(starts, batches.Select(b => b.FirstSequence));
            Assert.All(batches, b =>
            {
                var frames = b.FirstSequence == 0 ? first : 10;
                Assert.Equal(id, b.SessionId);
                Assert.Equal(48_000, b.SampleRate);
                Assert.Equal(frames, b.Frames);
                Assert.Equal(480 * frames, b.SampleCount);
                Assert.Equal(b.FirstSequence + frames - 1, b.LastSequence);
            });
        }

        await grain.EndAsync();                                                                      // deactivates: the partial batch goes out
        var left = (55 - first) % 10;
        if (left > 0)
        {
            deadline = DateTime.UtcNow.AddSeconds(10);
            while (Batches(id, nameof(IEmergencyGrain)).Length < starts.Length + 1 && DateTime.UtcNow < deadline) await Task.Delay(20);
            var last = Batches(id, nameof(IEmergencyGrain))[^1];
            Assert.Equal((55L - left, 54L, left), (last.FirstSequence, last.LastSequence, last.Frames));
        }
        Assert.Empty(Batches(id, nameof(IClassifierGrain)));
    }

    private static FeatureBatch[] Batches(string session, string listener) =>
        FeatureCallRecorder.Batches.TryGetValue((session, listener), out var batches) ? batches.ToArray() : [];
}

/// <summary>
/// Records every <see cref="FeatureBatch"/> a listener grain receives, by (session, listener interface), and every
/// <see cref="ClassifierWindow"/> a classifier grain receives, by session.
/// </summary>
public sealed class FeatureCallRecorder : IIncomingGrainCallFilter
{
    public static ConcurrentDictionary<(string Session, string Listener), ConcurrentQueue<FeatureBatch>> Batches { get; } = new();

    public static ConcurrentDictionary<string, ConcurrentQueue<ClassifierWindow>> Windows { get; } = new();

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is FeatureBatch batch)
            Batches.GetOrAdd((batch.SessionId, context.InterfaceMethod.DeclaringType!.Name), _ => new ConcurrentQueue<FeatureBatch>()).Enqueue(batch);
        if (context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is ClassifierWindow window)
            Windows.GetOrAdd(window.SessionId, _ => new ConcurrentQueue<ClassifierWindow>()).Enqueue(window);
        return context.Invoke();
    }
}
