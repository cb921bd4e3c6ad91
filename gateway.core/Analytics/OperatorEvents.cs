using System.Threading.Channels;
using AncOrleans.Abstractions.Analytics;

namespace AncOrleans.Gateway.Analytics;

/// <summary>
/// Anomalies on their way to operators: the MQTT bridge publishes each to <c>anc/ops/{deviceId}</c> (QoS 1). A bounded
/// queue (1,000; the oldest dropped) so a slow or absent broker never holds a session up.
/// </summary>
public sealed class OperatorEvents
{
    private readonly Channel<(string DeviceId, AnomalyFlag Flag)> _queue =
        Channel.CreateBounded<(string, AnomalyFlag)>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void Raise(string deviceId, AnomalyFlag flag) => _queue.Writer.TryWrite((deviceId, flag));

    public ChannelReader<(string DeviceId, AnomalyFlag Flag)> Reader => _queue.Reader;

    /// <summary>The topic an operator subscribes to (<c>anc/ops/+</c> for every device).</summary>
    public static string Topic(string deviceId) => $"anc/ops/{deviceId}";
}
