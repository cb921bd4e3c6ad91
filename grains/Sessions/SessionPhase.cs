namespace AncOrleans.Grains.Sessions;

/// <summary>
/// A session's phase in a period, from its id: sessions that start together (a load test, an ECS scale-out, a silo's
/// first devices) spread their periodic work — feature batches, classifier windows — over the period instead of all
/// doing it at once. FNV-1a over the id's UTF-16 code units, so a session has the same phase in every process
/// (<see cref="string.GetHashCode()"/> is randomised per process).
/// </summary>
public static class SessionPhase
{
    /// <summary>0 … <paramref name="period"/> − 1.</summary>
    public static int Of(string sessionId, int period)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(period, 1);
        var hash = 2166136261u;
        foreach (var c in sessionId) hash = (hash ^ c) * 16777619u;
        return (int)(hash % (uint)period);
    }
}
