using System.Collections.Concurrent;

namespace AncOrleans.Grains.Sessions;

/// <summary>The session activations on this silo (for <see cref="SessionEvacuation"/>): added on activation, removed on deactivation.</summary>
public sealed class LocalSessions
{
    private readonly ConcurrentDictionary<GrainId, IGrainContext> _active = new();

    public int Count => _active.Count;

    public void Add(IGrainContext session) => _active[session.GrainId] = session;

    public void Remove(IGrainContext session) => _active.TryRemove(new KeyValuePair<GrainId, IGrainContext>(session.GrainId, session));

    public IGrainContext[] Snapshot() => [.. _active.Values];
}
