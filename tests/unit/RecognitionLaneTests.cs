using System.Diagnostics;
using AncOrleans.Grains.Emergency;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AncOrleans.Tests;

/// <summary>
/// <see cref="RecognitionLane"/>: jobs run on low-priority threads and complete their callers' tasks; a job the workers
/// cannot reach in time runs at normal priority after MaxDeferMs; and no thread but the lane's own ever runs at its nice
/// value (a thread inherits its creator's, so the workers must never start pool threads).
/// </summary>
public sealed class RecognitionLaneTests
{
    private static RecognitionLane Lane(int nice, int maxDeferMs = 100, int threads = 1) =>
        new(Options.Create(new RecognitionOptions { Nice = nice, MaxDeferMs = maxDeferMs, Threads = threads }), NullLogger<RecognitionLane>.Instance);

    // A thread's nice value: field 19 of /proc/self/task/TID/stat (after the command name in parentheses).
    private static int NiceOf(string statPath)
    {
        var stat = File.ReadAllText(statPath);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static int CurrentNice() => NiceOf($"/proc/thread-self/stat");

    [Fact]
    public async Task Jobs_run_at_the_lane_nice_value_and_a_failure_reaches_its_own_caller()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var lane = Lane(nice: 10);
        Assert.True(lane.Enabled);
        var nice = -1;
        await lane.RunAsync(() => nice = CurrentNice()).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(10, nice);
        await Assert.ThrowsAsync<InvalidOperationException>(() => lane.RunAsync(() => throw new InvalidOperationException("bad batch")).WaitAsync(TimeSpan.FromSeconds(10)));
        // The caller continues at its own priority (the continuation is not run on the lane's thread).
        Assert.Equal(0, CurrentNice());
    }

    [Fact]
    public async Task A_job_the_workers_cannot_reach_runs_at_normal_priority_after_MaxDefer()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var lane = Lane(nice: 10, maxDeferMs: 50, threads: 1);
        using var release = new ManualResetEventSlim();
        var blocker = lane.RunAsync(() => release.Wait(TimeSpan.FromSeconds(10))); // the only worker is held
        var clock = Stopwatch.StartNew();
        var nice = -1;
        await lane.RunAsync(() => nice = CurrentNice()).WaitAsync(TimeSpan.FromSeconds(5));
        var waited = clock.Elapsed;
        release.Set();
        await blocker.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, nice);
        Assert.True(waited >= TimeSpan.FromMilliseconds(45), $"ran after {waited.TotalMilliseconds} ms, before MaxDeferMs");
        Assert.Equal(1, lane.Deferred);
    }

    [Fact]
    public async Task No_thread_but_the_lane_s_own_takes_its_nice_value()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var lane = Lane(nice: 7, threads: 2);
        // The pool starts a thread on whichever thread queues work while it has fewer than its minimum: raise the minimum,
        // so that completing the jobs (which queues their callers' continuations) makes the pool grow, and the jobs'
        // callers keep the pool's threads busy. Were the workers to complete the jobs, the new threads would be at nice 7.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(workers + 48, io);
        try
        {
            var jobs = Enumerable.Range(0, 400).Select(async i =>
            {
                await lane.RunAsync(() => Thread.SpinWait(2000));
                Thread.Sleep(2);
            });
            await Task.WhenAll(jobs).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, io);
        }
        var atSeven = new List<string>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                if (NiceOf(Path.Combine(task, "stat")) == 7) atSeven.Add(File.ReadAllText(Path.Combine(task, "comm")).Trim());
            }
            catch (IOException)
            {
                // the thread ended while we looked
            }
        }
        Assert.All(atSeven, name => Assert.Equal("anc-recognition", name));
        Assert.Equal(2, atSeven.Count);
    }

    [Fact]
    public async Task Nice_zero_runs_jobs_inline()
    {
        using var lane = Lane(nice: 0);
        Assert.False(lane.Enabled);
        var thread = -1;
        await lane.RunAsync(() => thread = Environment.CurrentManagedThreadId);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
    }
}
