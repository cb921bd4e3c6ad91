using System.Diagnostics;

namespace AncOrleans.Bench;

/// <summary>
/// --quick: no BenchmarkDotNet. Each workload is warmed up for at least one second of wall time (and at least
/// two seconds of audio, so the JIT has tiered up), then timed with a <see cref="Stopwatch"/> over at least
/// one second of wall time and three rounds; the result is the mean per round (one round = 1 s of audio).
/// </summary>
internal static class QuickRunner
{
    public sealed record Result(string Name, double MsPerAudioSecond, long AllocatedBytesPerRound, double CpuMsPerAudioSecond = double.NaN);

    public static Result Run(string name)
    {
        using var workload = StreamWorkload.Create(name);
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
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime; // all threads: on a loaded machine wall time overstates the cost
        var timer = Stopwatch.StartNew();
        while (timer.Elapsed < TimeSpan.FromSeconds(1) || rounds < 3)
        {
            sink += workload.ProcessOneSecond();
            rounds++;
        }
        timer.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;

        GC.KeepAlive(sink);
        return new Result(name, timer.Elapsed.TotalMilliseconds / rounds, allocated / rounds, cpu.TotalMilliseconds / rounds);
    }
}
