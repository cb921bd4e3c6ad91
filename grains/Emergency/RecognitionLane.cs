using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AncOrleans.Grains.Emergency;

/// <summary>
/// Runs the sessions' recognition (the emergency grain's detector: patterns, features, model) on a worker thread the
/// kernel schedules after the frames. A frame has a 10 ms deadline and recognition has none shorter than its own
/// analysis (a siren takes ≈ 1 s to recognise), but on the thread pool a 100 ms batch's analysis (≈ 0.15 ms) ran
/// beside the frames at the same priority, and on a full box each frame queued behind it. Here the worker runs at
/// nice <see cref="RecognitionOptions.Nice"/> (Linux <c>setpriority</c> on the thread alone; CFS gives a waking nice-0
/// thread the core), so recognition uses what the frames leave, and the frames see only their own load.
/// <para>
/// Never starved: a keeper thread at normal priority runs any job that has waited more than
/// <see cref="RecognitionOptions.MaxDeferMs"/> itself, so under overload recognition is at most that much later than
/// on the pool, never dropped. The keeper also completes every job's task: a thread inherits its creator's nice value,
/// and completing a task queues its continuation to the thread pool, which may start a pool thread on the completing
/// thread — so the low-priority worker never completes a task and never touches the pool.
/// </para>
/// <para>
/// With <see cref="RecognitionOptions.Nice"/> 0 (or where the priority cannot be set) the lane is off: jobs run inline, as
/// before. One lane per process; jobs run one at a time per worker, in the order queued.
/// </para>
/// </summary>
public sealed class RecognitionLane : IDisposable
{
    private sealed class Job(Action work)
    {
        public readonly Action Work = work;
        public readonly long Queued = Stopwatch.GetTimestamp();
        public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Exception? Failure;
    }

    private readonly ConcurrentQueue<Job> _waiting = new();
    private readonly ConcurrentQueue<Job> _finished = new();
    private readonly SemaphoreSlim _work = new(0), _keeper = new(0);
    private readonly long _maxDeferTicks;
    private readonly TimeSpan _keeperPoll;
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private long _deferred, _ran;
    private long _reportedAt = Environment.TickCount64, _reportedDeferred, _reportedRan;
    private readonly int _maxDeferMs;

    public RecognitionLane(IOptions<RecognitionOptions> options, ILogger<RecognitionLane> logger)
    {
        _logger = logger;
        var o = options.Value;
        _maxDeferMs = o.MaxDeferMs;
        _maxDeferTicks = (long)(o.MaxDeferMs * Stopwatch.Frequency / 1000.0);
        _keeperPoll = TimeSpan.FromMilliseconds(Math.Max(1, o.MaxDeferMs / 4.0));
        if (o.Nice <= 0 || !OperatingSystem.IsLinux()) return;
        var threads = o.ResolvedThreads;
        using var started = new CountdownEvent(threads);
        var refused = 0;
        for (var i = 0; i < threads; i++)
            new Thread(() =>
            {
                if (setpriority(0, gettid(), o.Nice) != 0) Interlocked.Increment(ref refused);
                started.Signal();
                WorkLoop();
            }) { IsBackground = true, Name = $"anc-recognition-{i}" }.Start();
        started.Wait();
        if (refused > 0)
        {
            logger.LogWarning("Recognition lane: the kernel refused nice {Nice} for its threads; recognition runs in the grains' turns", o.Nice);
            _stop.Cancel();
            return;
        }
        new Thread(KeeperLoop) { IsBackground = true, Name = "anc-recog-keeper" }.Start();
        Enabled = true;
        logger.LogInformation("Recognition lane: {Threads} thread(s) at nice {Nice}; a job waits at most {MaxDefer} ms", threads, o.Nice, o.MaxDeferMs);
    }

    /// <summary>Whether jobs run on the lane (false: inline, in the caller's turn).</summary>
    public bool Enabled { get; }

    /// <summary>Jobs the keeper ran at normal priority because the worker had not started them within MaxDeferMs.</summary>
    public long Deferred => Interlocked.Read(ref _deferred);

    /// <summary>Jobs run so far (on the lane).</summary>
    public long Ran => Interlocked.Read(ref _ran);

    /// <summary>Runs <paramref name="work"/> on the lane; the task completes (or faults) when it has run.</summary>
    public Task RunAsync(Action work)
    {
        if (!Enabled)
        {
            work();
            return Task.CompletedTask;
        }
        var job = new Job(work);
        _waiting.Enqueue(job);
        _work.Release();
        return job.Done.Task;
    }

    private void WorkLoop()
    {
        try
        {
            while (true)
            {
                _work.Wait(_stop.Token);
                if (!_waiting.TryDequeue(out var job)) continue; // the keeper took it
                Run(job);
                _finished.Enqueue(job);
                _keeper.Release();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void KeeperLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                _keeper.Wait(_keeperPoll, _stop.Token);
                while (_finished.TryDequeue(out var job)) Complete(job);
                // Overdue: the frames have kept every core for MaxDeferMs; run the oldest here, at normal priority.
                while (_waiting.TryPeek(out var oldest) && Stopwatch.GetTimestamp() - oldest.Queued > _maxDeferTicks && _waiting.TryDequeue(out var job))
                {
                    Interlocked.Increment(ref _deferred);
                    Run(job);
                    Complete(job);
                }
                ReportDeferred();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // At most every 10 s: how many jobs the keeper had to run because the cores stayed full (the box is saturated).
    private void ReportDeferred()
    {
        var now = Environment.TickCount64;
        if (now - _reportedAt < 10_000) return;
        var deferred = Deferred;
        if (deferred > _reportedDeferred)
            _logger.LogWarning("Recognition lane: {Count} of {Jobs} analyses waited more than {MaxDefer} ms for a free core in the last {Seconds:0} s and ran at normal priority (the cores are full)",
                deferred - _reportedDeferred, Ran - _reportedRan, _maxDeferMs, (now - _reportedAt) / 1000.0);
        (_reportedAt, _reportedDeferred, _reportedRan) = (now, deferred, Ran);
    }

    private void Run(Job job)
    {
        try
        {
            job.Work();
        }
        catch (Exception e)
        {
            job.Failure = e;
        }
        Interlocked.Increment(ref _ran);
    }

    private static void Complete(Job job)
    {
        if (job.Failure is { } failure) job.Done.TrySetException(failure);
        else job.Done.TrySetResult();
    }

    public void Dispose()
    {
        _stop.Cancel();
        // Jobs still queued: their callers are told (the silo is stopping).
        while (_waiting.TryDequeue(out var job)) job.Done.TrySetCanceled();
        while (_finished.TryDequeue(out var job)) Complete(job);
    }

    // int setpriority(int which, id_t who, int prio): which 0 = PRIO_PROCESS, and on Linux a thread id names one thread.
    [DllImport("libc", SetLastError = true)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    private static extern int gettid();
}
