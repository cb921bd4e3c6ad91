using System.Collections.Concurrent;
using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Hosting;
using Orleans.Streams;

namespace AncOrleans.Tests;

/// <summary>A session publishes one <see cref="FrameFeatures"/> per accepted frame on its feature stream.</summary>
[Collection(ClusterCollection.Name)]
public sealed class FeatureStreamTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Every_accepted_frame_publishes_its_features()
    {
        var id = "features-" + Guid.NewGuid();
        var received = new ConcurrentQueue<FrameFeatures>();
        var stream = fixture.Cluster.Client.GetStreamProvider(AncSiloExtensions.StreamProvider)
            .GetStream<FrameFeatures>(StreamId.Create(FrameFeatures.StreamNamespace, id));
        var handle = await stream.SubscribeAsync((features, _) =>
        {
            received.Enqueue(features);
            return Task.CompletedTask;
        });
        try
        {
            var grain = fixture.Cluster.GrainFactory.GetGrain<ISessionGrain>(id);
            var device = new ClosedLoopDevice(Scenarios.Create("hum", 48_000, 1, 20), 960);
            await grain.ConfigureAsync(device.Config());
            await device.RunAsync(grain, 0.5);
            await grain.ProcessAsync(new AudioFrame(999, 0, 16_000, SampleFormat.Float32, 1, new byte[8])); // rejected: no features

            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (received.Count < 50 && DateTime.UtcNow < deadline) await Task.Delay(50);
            var features = received.ToArray();
            Assert.Equal(50, features.Length);
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), features.Select(f => f.Sequence).Order());
            Assert.All(features, f =>
            {
                Assert.Equal(id, f.SessionId);
                Assert.Equal(48_000, f.SampleRate);
                Assert.Equal(480 * 2, f.ReferencePcm16.Length);
                Assert.True(f.ReferenceRms > 0);
            });
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }
}
