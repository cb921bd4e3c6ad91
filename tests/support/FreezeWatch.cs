using System.Diagnostics;

namespace AncOrleans.Tests;

/// <summary>
/// Times when this process could not run at all: a dedicated thread sleeps 1 ms at a time and records every gap of
/// at least <see cref="Threshold"/> between its wake-ups. Such a gap is the machine's (a host or VM stall, CPU taken
/// by other processes) or a runtime-wide pause (a GC suspends this thread too), not one component's slowness: a
/// busy thread pool still leaves a dedicated thread its share within a few milliseconds. Real-time tests use it to
/// tell a late reply the system under test caused from one the machine caused.
/// </summary>
public sealed class FreezeWatch : IDisposable
{
    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(100);

    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private readonly List<(long Start, long End)> _freezes = [];
    private readonly List<(long Start, long End)> _poolStalls = [];
    private long _queuedAt; // when the pending pool probe was queued; 0 when none is pending
    private volatile bool _stopped;

    public FreezeWatch()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "freeze-watch" };
        _thread.Start();
    }

    /// <summary>The freezes so far, as <see cref="Stopwatch"/> timestamps.</summary>
    public IReadOnlyList<(long Start, long End)> Freezes
    {
        get { lock (_gate) return [.. _freezes]; }
    }

    /// <summary>
    /// Whether [<paramref name="from"/>, <paramref name="to"/>] (timestamps) overlaps a freeze or the catch-up after
    /// it (as long again as the freeze: a paced sender then sends its backlog at once, and the replies to that burst
    /// are late for the sender's schedule, not for the server).
    /// </summary>
    public bool Overlaps(long from, long to)
    {
        lock (_gate)
            return _freezes.Any(f => from <= f.End + (f.End - f.Start) && to >= f.Start);
    }

    /// <summary>The freezes and the pool stalls, each as its length and when it started (seconds after <paramref name="origin"/>).</summary>
    public string Describe(long origin) =>
        $"process freezes ≥ {Threshold.TotalMilliseconds:0} ms: {List(Freezes, origin)}; thread-pool stalls ≥ {Threshold.TotalMilliseconds:0} ms: {List(PoolStalls, origin)}";

    private static string List(IReadOnlyList<(long Start, long End)> spans, long origin) =>
        spans.Count == 0 ? "none"
            : string.Join(", ", spans.Select(f => $"{Stopwatch.GetElapsedTime(f.Start, f.End).TotalMilliseconds:0} ms at {Stopwatch.GetElapsedTime(origin, f.Start).TotalSeconds:0.00} s"));

    /// <summary>
    /// Times the thread pool took ≥ <see cref="Threshold"/> to start a work item queued every 10 ms (the process ran,
    /// but its pool was starved): that is the process's own doing (a blocking call on a pool thread), not the machine's.
    /// </summary>
    public IReadOnlyList<(long Start, long End)> PoolStalls
    {
        get { lock (_gate) return [.. _poolStalls]; }
    }

    private void Run()
    {
        var last = Stopwatch.GetTimestamp();
        var probed = last;
        while (!_stopped)
        {
            Thread.Sleep(1);
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(last, now) >= Threshold)
                lock (_gate) _freezes.Add((last, now));
            last = now;
            if (Stopwatch.GetElapsedTime(probed, now) >= TimeSpan.FromMilliseconds(10) && Interlocked.CompareExchange(ref _queuedAt, now, 0) == 0)
            {
                probed = now;
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    var queued = Interlocked.Exchange(ref _queuedAt, 0);
                    var started = Stopwatch.GetTimestamp();
                    if (Stopwatch.GetElapsedTime(queued, started) >= Threshold)
                        lock (_gate) _poolStalls.Add((queued, started));
                }, null);
            }
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _thread.Join();
    }
}
