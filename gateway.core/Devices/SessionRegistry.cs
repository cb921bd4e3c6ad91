using System.Collections.Concurrent;

namespace AncOrleans.Gateway.Devices;

/// <summary>The sessions this gateway has seen (connected devices and sessions configured over REST).</summary>
public sealed class SessionRegistry
{
    private readonly ConcurrentDictionary<string, DeviceConnection?> _sessions = new();

    public IEnumerable<string> Sessions => _sessions.Keys.Order(StringComparer.Ordinal);

    public void Add(string sessionId, DeviceConnection? connection = null) =>
        _sessions.AddOrUpdate(sessionId, connection, (_, existing) => connection ?? existing);

    public void Disconnected(string sessionId, DeviceConnection connection) =>
        _sessions.TryUpdate(sessionId, null, connection);

    public bool TryGetConnection(string sessionId, out DeviceConnection? connection) =>
        _sessions.TryGetValue(sessionId, out connection) && connection is not null;

    public void Remove(string sessionId) => _sessions.TryRemove(sessionId, out _);
}
