using System.Collections.Concurrent;

namespace AncOrleans.Dsp;

/// <summary>
/// Edge mode's warm-start solves (<see cref="EdgeCanceller"/>, tens of ms of CPU each), one at a time on one background
/// thread per process. Sessions that start together — a silo's first devices, an ECS scale-out, a load test — would
/// otherwise solve all at once on the thread pool half a second after they start and take every core from the frames
/// for as long as that lasts (60 sessions: seconds). Queued, the solves use at most one core, frames keep the rest, and
/// a session waits a little longer for its warm start while its NLMS adapts as before. A job starts only when the frames
/// leave a core free (<see cref="Busy"/>; or after <see cref="MaxDefer"/>), so the solves fill the gaps the frames leave.
/// </summary>
public static class WarmStartQueue
{
    private static readonly BlockingCollection<Action> Work = [];

    static WarmStartQueue()
    {
        var thread = new Thread(() =>
        {
            foreach (var job in Work.GetConsumingEnumerable())
            {
                YieldToFrames();
                job();
            }
        })
        { IsBackground = true, Name = "anc-warm-start" };
        thread.Start();
    }

    /// <summary>The longest a job waits for the frames to leave a core free (<see cref="Busy"/>) before it runs anyway.</summary>
    public static readonly TimeSpan MaxDefer = TimeSpan.FromMilliseconds(250);

    // While the frames keep the cores busy a solve would take one from them, so the next job waits — up to MaxDefer, so
    // that a silo that is never idle still gets its solves.
    private static void YieldToFrames()
    {
        var deadline = Environment.TickCount64 + (long)MaxDefer.TotalMilliseconds;
        while (Busy() && Environment.TickCount64 < deadline) Thread.Sleep(1);
    }

    /// <summary>
    /// Whether the frames are using the cores: work waits in the thread pool's queue (socket completions, grain turns),
    /// or the process used more than all its cores but half of one over the last few ms (5 ms, measured here while
    /// this thread sleeps). A test replaces it.
    /// </summary>
    internal static Func<bool> Busy { get; set; } = FramesBusy;

    private static bool FramesBusy()
    {
        if (ThreadPool.PendingWorkItemCount > 0) return true;
        var cpu = Environment.CpuUsage.TotalTime;
        var wall = System.Diagnostics.Stopwatch.GetTimestamp();
        Thread.Sleep(5);
        var used = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
        return used > (Environment.ProcessorCount - 0.5) * System.Diagnostics.Stopwatch.GetElapsedTime(wall).TotalMilliseconds;
    }

    /// <summary>Jobs queued or running.</summary>
    public static int Pending => Volatile.Read(ref _pending);

    private static int _pending;

    /// <summary>Runs <paramref name="solve"/> after every job queued before it; its result (or exception) completes the task.</summary>
    public static Task<T> Enqueue<T>(Func<T> solve)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _pending);
        Work.Add(() =>
        {
            try { done.SetResult(solve()); }
            catch (Exception e) { done.SetException(e); }
            finally { Interlocked.Decrement(ref _pending); }
        });
        return done.Task;
    }
}
