using System.Collections.Concurrent;
using System.Diagnostics;

namespace AncOrleans.Grains.Sessions;

/// <summary>
/// The session activations on this silo (for <see cref="SessionEvacuation"/>): added on activation, removed on
/// deactivation, each with the time of its last frame, so a leaving silo moves the sessions with a device streaming
/// first.
/// </summary>
public sealed class LocalSessions
{
    private readonly ConcurrentDictionary<GrainId, LocalSession> _active = new();

    public int Count => _active.Count;

    /// <summary>Registers <paramref name="session"/>; the caller marks its frames on the entry returned.</summary>
    public LocalSession Add(IGrainContext session) => _active[session.GrainId] = new LocalSession(session);

    public void Remove(IGrainContext session)
    {
        if (_active.TryGetValue(session.GrainId, out var entry) && ReferenceEquals(entry.Context, session))
            _active.TryRemove(new KeyValuePair<GrainId, LocalSession>(session.GrainId, entry));
    }

    /// <summary>The sessions, the one with the latest frame first.</summary>
    public LocalSession[] Snapshot() => [.. _active.Values.OrderByDescending(s => s.LastFrame)];
}

/// <summary>One session activation and when it last answered a frame (a <see cref="Stopwatch"/> timestamp, 0: never).</summary>
public sealed class LocalSession(IGrainContext context)
{
    private long _lastFrame;

    public IGrainContext Context { get; } = context;

    public long LastFrame => Volatile.Read(ref _lastFrame);

    /// <summary>Called on the session's turn for each frame: one store, no allocation.</summary>
    public void Frame() => Volatile.Write(ref _lastFrame, Stopwatch.GetTimestamp());

    /// <summary>A frame within <paramref name="window"/>: a device is streaming.</summary>
    public bool Streaming(TimeSpan window) => LastFrame != 0 && Stopwatch.GetElapsedTime(LastFrame) < window;
}
