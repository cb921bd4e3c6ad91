using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AncOrleans.Bench;

/// <summary>
/// --quick: no BenchmarkDotNet. Each workload is warmed up for at least one second of wall time (and at least
/// two seconds of audio, so the JIT has tiered up), then timed over at least one second of wall time and three rounds;
/// the result is the mean per round (one round = 1 s of audio) in wall time (<see cref="Stopwatch"/>), in CPU time of
/// the measuring thread (which a machine shared with other work inflates far less) and in CPU time of the whole
/// process (all threads: the JIT's and the GC's too).
/// </summary>
internal static class QuickRunner
{
    public sealed record Result(
        string Name,
        string Scenario,
        double MsPerAudioSecond,
        long AllocatedBytesPerRound,
        double ThreadCpuMsPerAudioSecond,
        double ProcessCpuMsPerAudioSecond = double.NaN,
        double MeanThreadCpuMsPerAudioSecond = double.NaN,
        double MaxThreadCpuMsPerAudioSecond = double.NaN);

    public static Result Run(string name, string scenario)
    {
        using var workload = StreamWorkload.Create(name, scenario);
        var sink = 0f;

        var warm = Stopwatch.StartNew();
        var warmRounds = 0;
        while (warm.Elapsed < TimeSpan.FromSeconds(1) || warmRounds < 2)
        {
            sink += workload.ProcessOneSecond();
            warmRounds++;
        }

        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var rounds = 0;
        var processCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var threadCpuBefore = ThreadCpu.Milliseconds();
        var timer = Stopwatch.StartNew();
        while (timer.Elapsed < TimeSpan.FromSeconds(1) || rounds < 3)
        {
            sink += workload.ProcessOneSecond();
            rounds++;
        }
        timer.Stop();
        var threadCpu = ThreadCpu.Milliseconds() - threadCpuBefore;
        var processCpu = Process.GetCurrentProcess().TotalProcessorTime - processCpuBefore;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        GC.KeepAlive(sink);
        return new Result(name, scenario, timer.Elapsed.TotalMilliseconds / rounds, allocated / rounds, threadCpu / rounds, processCpu.TotalMilliseconds / rounds);
    }
}

/// <summary>
/// --quick --interleave: every case built, then warmed up round-robin (at least 5 s of audio each and 3 s of wall time:
/// on a loaded machine the JIT's background tier-up takes seconds), then <c>rounds</c> rounds in which each case in turn
/// processes one second of audio; the medians per case of wall time and of the measuring thread's CPU time, and the
/// most bytes any one round allocated. Cases measured seconds apart see the same load, so their ratios hold on a
/// shared machine where absolute figures do not. Every case is alive at once (sessions-512 holds 512 sessions).
/// </summary>
internal static class InterleavedRunner
{
    public static List<QuickRunner.Result> Run(IReadOnlyList<(string Name, string Scenario)> cases, int rounds)
    {
        var workloads = new List<StreamWorkload>(cases.Count);
        try
        {
            foreach (var (name, scenario) in cases) workloads.Add(StreamWorkload.Create(name, scenario));
            var sink = 0f;
            var warm = Stopwatch.StartNew();
            for (var i = 0; i < 5 || warm.Elapsed < TimeSpan.FromSeconds(3); i++)
                foreach (var workload in workloads) sink += workload.ProcessOneSecond();

            var wall = cases.Select(_ => new List<double>(rounds)).ToArray();
            var cpu = cases.Select(_ => new List<double>(rounds)).ToArray();
            var allocated = new long[cases.Count];
            for (var round = 0; round < rounds; round++)
            {
                for (var k = 0; k < workloads.Count; k++)
                {
                    var bytes = GC.GetAllocatedBytesForCurrentThread();
                    var cpuBefore = ThreadCpu.Milliseconds();
                    var start = Stopwatch.GetTimestamp();
                    sink += workloads[k].ProcessOneSecond();
                    var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    var used = ThreadCpu.Milliseconds() - cpuBefore;
                    allocated[k] = Math.Max(allocated[k], GC.GetAllocatedBytesForCurrentThread() - bytes);
                    wall[k].Add(elapsed);
                    cpu[k].Add(used);
                }
            }
            GC.KeepAlive(sink);
            return [.. cases.Select((c, k) => new QuickRunner.Result(c.Name, c.Scenario, Median(wall[k]), allocated[k], Median(cpu[k]),
                MeanThreadCpuMsPerAudioSecond: cpu[k].Average(), MaxThreadCpuMsPerAudioSecond: cpu[k].Max()))];
        }
        finally
        {
            foreach (var workload in workloads) workload.Dispose();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle]);
    }
}

/// <summary>CPU time of the calling thread: <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux, the process's CPU time elsewhere.</summary>
internal static partial class ThreadCpu
{
    private const int ThreadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>Milliseconds of CPU the calling thread has used (Linux), or the whole process (elsewhere).</summary>
    public static double Milliseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(ThreadCpuTimeClock, out var time) == 0)
            return time.Seconds * 1e3 + time.Nanoseconds / 1e6;
        return Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;
    }
}
