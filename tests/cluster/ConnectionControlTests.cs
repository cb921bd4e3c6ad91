using System.Threading.Channels;
using AncOrleans.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Cluster-wide connection control through the device credential grain: two gateways (observers) holding the same
/// device in turn, then a revocation — each old connection is told to go, on whichever gateway holds it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConnectionControlTests(ClusterFixture fixture)
{
    private sealed class Gateway : IDeviceConnectionObserver
    {
        public readonly Channel<(string Device, Guid Connection, string Reason)> CutOffs = Channel.CreateUnbounded<(string, Guid, string)>();

        public Task CutOffAsync(string deviceId, Guid connection, string reason)
        {
            CutOffs.Writer.TryWrite((deviceId, connection, reason));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_newer_connection_elsewhere_and_a_revocation_cut_the_old_one_off_on_its_gateway()
    {
        var grains = fixture.Cluster.Client;
        var id = "conn-" + Guid.NewGuid().ToString("N")[..8];
        var credential = grains.GetGrain<IDeviceCredentialGrain>(id);
        await credential.SetAsync(new DeviceCredential([1], [2], 1000, DateTime.UtcNow));
        Gateway one = new(), two = new();
        var oneRef = grains.CreateObjectReference<IDeviceConnectionObserver>(one);
        var twoRef = grains.CreateObjectReference<IDeviceConnectionObserver>(two);
        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var t0 = DateTime.UtcNow;

        Assert.True(await credential.AttachAsync(oneRef, first, t0));
        Assert.True(await credential.AttachAsync(oneRef, first, t0));          // the periodic re-attach: no change
        Assert.True(await credential.AttachAsync(twoRef, second, t0.AddSeconds(1)));
        var replaced = await one.CutOffs.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal((id, first), (replaced.Device, replaced.Connection));
        Assert.StartsWith("replaced", replaced.Reason);
        // The old gateway's re-attach of the old connection comes too late: refused, and the newer one stays.
        Assert.False(await credential.AttachAsync(oneRef, first, t0));

        Assert.True(await credential.RevokeAsync());
        var revoked = await two.CutOffs.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(1));
        Assert.Equal((id, second), (revoked.Device, revoked.Connection));
        Assert.Contains("revoked", revoked.Reason);
        Assert.False(one.CutOffs.Reader.TryRead(out _));
        Assert.False(two.CutOffs.Reader.TryRead(out _));
        grains.DeleteObjectReference<IDeviceConnectionObserver>(oneRef);
        grains.DeleteObjectReference<IDeviceConnectionObserver>(twoRef);
    }
}
