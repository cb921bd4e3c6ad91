using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AncOrleans.Hosting;

/// <summary>
/// Names the moments a silo could not serve: a dedicated thread wakes every 50 ms and logs a warning when
/// <list type="bullet">
/// <item>its own wake-up came ≥ <see cref="Threshold"/> late — the whole process was frozen (a GC suspension, the
/// machine or its CPU quota taken elsewhere);</item>
/// <item>a work item it queued on the thread pool waited ≥ <see cref="Threshold"/> to start — the process ran, but its
/// pool was starved (a blocking call on pool threads, or more work than cores), with the pool's thread count and
/// queue length at that moment.</item>
/// </list>
/// Either one holds every grain call, storage reply and membership probe of the silo for that long, so a silo that
/// votes a live peer dead or times an activation out can be told from a slow peer or a slow DynamoDB in its log.
/// Costs one sleeping thread and one pool item per 50 ms.
/// </summary>
public sealed class StallWatch(ILogger<StallWatch> logger) : IHostedService, IDisposable
{
    public static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);
    private volatile bool _stopped; // nothing to dispose: a host disposed without a stop must not fault the thread
    private Thread? _thread;
    private long _queuedAt; // when the pending pool probe was queued; 0 when it has started

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "anc-stall-watch" };
        _thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        return Task.CompletedTask;
    }

    private void Run()
    {
        try
        {
            Watch();
        }
        catch (ObjectDisposedException)
        {
            // the host's logging went away before a stop reached this thread
        }
    }

    private void Watch()
    {
        var last = Stopwatch.GetTimestamp();
        var reported = 0L; // the queued-at time of the pool stall already reported
        while (!_stopped)
        {
            Thread.Sleep(Period);
            var now = Stopwatch.GetTimestamp();
            var gap = Stopwatch.GetElapsedTime(last, now) - Period;
            if (gap >= Threshold)
                logger.LogWarning("Process frozen for {Ms:0} ms (no thread of this process ran; GC suspension or CPU taken elsewhere)", gap.TotalMilliseconds);
            last = now;
            var queued = Interlocked.Read(ref _queuedAt);
            if (queued == 0)
            {
                Interlocked.Exchange(ref _queuedAt, now);
                ThreadPool.UnsafeQueueUserWorkItem(static watch => watch.Started(), this, preferLocal: false);
            }
            else if (queued != reported && Stopwatch.GetElapsedTime(queued, now) >= Threshold)
            {
                reported = queued;
                logger.LogWarning("Thread pool starved: a work item has waited {Ms:0} ms to start ({Threads} threads, {Pending} items queued)",
                    Stopwatch.GetElapsedTime(queued, now).TotalMilliseconds, ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount);
            }
        }
    }

    private void Started()
    {
        var queued = Interlocked.Exchange(ref _queuedAt, 0);
        var waited = Stopwatch.GetElapsedTime(queued);
        if (waited >= Threshold)
            logger.LogWarning("Thread pool stall ended: a work item waited {Ms:0} ms to start ({Threads} threads now)", waited.TotalMilliseconds, ThreadPool.ThreadCount);
    }

    public void Dispose() => _stopped = true;
}
