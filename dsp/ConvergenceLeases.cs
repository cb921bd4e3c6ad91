using System.Collections.Concurrent;
using System.Diagnostics;

namespace AncOrleans.Dsp;

/// <summary>
/// How many edge sessions of a process may adapt on all of their audio at once while they converge. An edge session
/// with a duty cycle below 1 adapts on every sample until its filter has converged (<see cref="EdgeCanceller"/>), at
/// about 1/duty times its later cost (4× at 0.25). Sessions that start together — a silo's first devices, an ECS
/// scale-out, a fleet reconnecting — would all do that in the same second: at 400 devices on 2 cores that second
/// needed more CPU than the box has, and every coefficient set waited 150–480 ms (docs/measurements/benchmarks.md,
/// "Seventeenth session"). A session converges at full duty only while it holds one of these leases; without one it
/// follows its duty cycle, converging more slowly, until a lease is free.
/// <para>Guards: a lease is wall-clock bounded (<see cref="Hold"/>), so a session that never converges, or is dropped
/// without releasing it, gives it back by itself; taking and releasing are lock-free compare-and-swap on one slot.</para>
/// </summary>
public sealed class ConvergenceLeases
{
    private static readonly ConcurrentDictionary<(int, TimeSpan), ConvergenceLeases> Shared = new();
    private readonly long[] _until;               // Stopwatch ticks; a slot is free when its time has passed
    private readonly long _holdTicks;

    public ConvergenceLeases(int count, TimeSpan hold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (hold <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(hold), "a lease must last a positive time.");
        _until = new long[count];
        _holdTicks = (long)(hold.TotalSeconds * Stopwatch.Frequency);
        Hold = hold;
    }

    /// <summary>The process's leases of this size (one budget shared by every session of the process).</summary>
    public static ConvergenceLeases Of(int count, TimeSpan hold) => Shared.GetOrAdd((count, hold), k => new ConvergenceLeases(k.Item1, k.Item2));

    public int Count => _until.Length;

    /// <summary>The longest a lease lasts.</summary>
    public TimeSpan Hold { get; }

    /// <summary>Leases held now.</summary>
    public int Held
    {
        get
        {
            var now = Stopwatch.GetTimestamp();
            var held = 0;
            for (var i = 0; i < _until.Length; i++) if (Volatile.Read(ref _until[i]) > now) held++;
            return held;
        }
    }

    /// <summary>Takes a free lease, or returns false when all are held.</summary>
    public bool TryTake(out Lease lease)
    {
        var now = Stopwatch.GetTimestamp();
        for (var i = 0; i < _until.Length; i++)
        {
            var until = Volatile.Read(ref _until[i]);
            if (until > now) continue;
            var mine = now + _holdTicks;
            if (Interlocked.CompareExchange(ref _until[i], mine, until) != until) continue;
            lease = new Lease(i, mine);
            return true;
        }
        lease = default;
        return false;
    }

    /// <summary>Whether the lease is still in force (not expired, not released).</summary>
    public bool Holds(Lease lease) => lease.Until > Stopwatch.GetTimestamp() && Volatile.Read(ref _until[lease.Slot]) == lease.Until;

    /// <summary>Gives the lease back (nothing when it has expired and the slot is someone else's).</summary>
    public void Release(Lease lease) => Interlocked.CompareExchange(ref _until[lease.Slot], 0, lease.Until);

    /// <summary>One slot, taken until <see cref="Until"/> (Stopwatch ticks).</summary>
    public readonly record struct Lease(int Slot, long Until);
}
