using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace AncOrleans.Bench;

/// <summary>The BenchmarkDotNet configuration: one short job so the five benchmarks finish in a few minutes on 2 cores.</summary>
internal static class BenchConfig
{
    /// <summary>
    /// <paramref name="launches"/> processes (default 1), 3 warm-up and 8 measured iterations of ≈ 250 ms each; unroll factor 1 because one invocation
    /// (one second of audio) already takes milliseconds, so BenchmarkDotNet's call overhead is negligible.
    /// </summary>
    public static Job ShortJob(bool inProcess, int launches)
    {
        var job = Job.Default
            .WithLaunchCount(launches)
            .WithWarmupCount(3)
            .WithIterationCount(8)
            .WithIterationTime(TimeInterval.FromMilliseconds(250))
            .WithUnrollFactor(1)
            .WithGcServer(false)
            // Methods move to optimised code (tier 1) 100 ms after the last tier-0 compile by default; BenchmarkDotNet's
            // own engine keeps compiling, so the canceller's methods stayed at tier 0 through the measured iterations
            // (hybrid on hum 12.9-15.8 ms per audio second against 5.7-6.1 in steady state). No delay: tier 1 after the
            // usual 30 calls, as in a gateway that has served a few seconds (docs/measurements/benchmarks.md).
            // Child processes only: --inprocess keeps the bench process's own setting (set the variable before it).
            .WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0"))
            .WithId(inProcess ? "short-inprocess" : "short");
        return inProcess ? job.WithToolchain(InProcessEmitToolchain.Instance) : job;
    }

    /// <param name="machineReadable">True for --json: every log line goes to stderr and no files are exported.</param>
    /// <param name="inProcess">Use the InProcessEmit toolchain instead of building and launching a child project.</param>
    /// <param name="launches">Processes per benchmark; the mean pools the iterations of all of them.</param>
    public static IConfig Create(bool machineReadable, bool inProcess, int launches)
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(ShortJob(inProcess, launches))
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddValidator(DefaultConfig.Instance.GetValidators().ToArray())
            .AddAnalyser(DefaultConfig.Instance.GetAnalysers().ToArray())
            .WithArtifactsPath(Path.Combine(AppContext.BaseDirectory, "BenchmarkDotNet.Artifacts"))
            .WithOptions(ConfigOptions.JoinSummary);
        return machineReadable
            ? config.AddLogger(StderrLogger.Instance).WithOptions(ConfigOptions.DisableLogFile)
            : config.AddLogger(ConsoleLogger.Default).AddExporter(MarkdownExporter.GitHub);
    }
}

/// <summary>BenchmarkDotNet's log, sent to stderr so stdout carries only the JSON lines.</summary>
internal sealed class StderrLogger : ILogger
{
    public static readonly StderrLogger Instance = new();

    public string Id => nameof(StderrLogger);

    public int Priority => 0;

    public void Write(LogKind logKind, string text) => Console.Error.Write(text);

    public void WriteLine() => Console.Error.WriteLine();

    public void WriteLine(LogKind logKind, string text) => Console.Error.WriteLine(text);

    public void Flush() => Console.Error.Flush();
}
