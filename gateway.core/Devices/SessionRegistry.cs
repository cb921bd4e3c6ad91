using System.Collections.Concurrent;

namespace AncOrleans.Gateway.Devices;

/// <summary>
/// The sessions this gateway serves: one live connection per device (WebSocket or MQTT), forgotten when it ends, and
/// the sessions an admin configured over REST (until ended). Nothing here outlives a device that left.
/// </summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, IDeviceEndpoint> _live = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _configured = new(StringComparer.Ordinal);

    /// <summary>A connection became the device's (after the one it replaced, if any, was returned to be closed).</summary>
    public event Action<string, IDeviceEndpoint>? EndpointConnected;

    /// <summary>The device's connection ended and was forgotten.</summary>
    public event Action<string, IDeviceEndpoint>? EndpointDisconnected;

    public IEnumerable<string> Sessions => _live.Keys.Union(_configured.Keys).Order(StringComparer.Ordinal);

    /// <summary>Live connections (for tests and metrics).</summary>
    public int LiveCount => _live.Count;

    public bool Contains(string sessionId) => _live.ContainsKey(sessionId) || _configured.ContainsKey(sessionId);

    /// <summary>Makes <paramref name="endpoint"/> the device's connection; returns the one it replaces (to be closed), if any.</summary>
    public IDeviceEndpoint? Connect(string sessionId, IDeviceEndpoint endpoint)
    {
        IDeviceEndpoint? previous = null;
        _live.AddOrUpdate(sessionId, endpoint, (_, existing) =>
        {
            previous = existing;
            return endpoint;
        });
        if (ReferenceEquals(previous, endpoint)) return null;
        EndpointConnected?.Invoke(sessionId, endpoint);
        return previous;
    }

    /// <summary>The connection ended: forgotten, unless another has replaced it meanwhile.</summary>
    public void Disconnected(string sessionId, IDeviceEndpoint endpoint)
    {
        if (_live.TryRemove(KeyValuePair.Create(sessionId, endpoint))) EndpointDisconnected?.Invoke(sessionId, endpoint);
    }

    public bool TryGetConnection(string sessionId, out IDeviceEndpoint? endpoint) => _live.TryGetValue(sessionId, out endpoint);

    public bool IsConnected(string sessionId) => _live.ContainsKey(sessionId);

    /// <summary>A session configured over REST (admin): listed until ended.</summary>
    public void Configured(string sessionId) => _configured.TryAdd(sessionId, 0);

    public void Remove(string sessionId) => _configured.TryRemove(sessionId, out _);
}
