using System.Diagnostics;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The worker silo (<c>silo/</c>) as a separate process, configured through environment variables
/// (<c>Section__Key</c>). <see cref="Kill"/> ends it with SIGKILL: no shutdown, no goodbye to the cluster.
/// </summary>
internal sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private volatile bool _quiet;

    private SiloProcess(Process process, ITestOutputHelper output, int siloPort, int gatewayPort)
    {
        _process = process;
        _output = output;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The worker silo's build output, built once per test run (an incremental build when the solution was built):
    /// the tests start it as a process, so they hold no reference to the executable project.
    /// </summary>
    private static readonly Lazy<string> WorkerSiloDll = new(() =>
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // …/bin/<configuration>/<tfm>
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AncOrleans.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var project = Path.Combine(root.FullName, "silo", "AncOrleans.Silo.csproj");
        using (var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", configuration, "--nologo", "-v", "q"]) { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var log = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
            build.WaitForExit();
            Assert.True(build.ExitCode == 0, $"dotnet build {project} failed:\n{log}");
        }
        return Path.Combine(root.FullName, "silo", "bin", configuration, testBin.Name, "AncOrleans.Silo.dll");
    });

    /// <summary>Starts a silo on fresh loopback ports with these settings (keys as in appsettings, e.g. <c>Orleans:ClusterId</c>).</summary>
    public static SiloProcess Start(IReadOnlyDictionary<string, string?> settings, ITestOutputHelper output, string name = "silo")
    {
        var dll = WorkerSiloDll.Value;
        Assert.True(File.Exists(dll), $"worker silo not built at {dll}");
        var siloPort = GatewayFixture.FreePort();
        var gatewayPort = GatewayFixture.FreePort();
        var start = new ProcessStartInfo("dotnet", [dll]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Orleans__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        var silo = new SiloProcess(Process.Start(start)!, output, siloPort, gatewayPort);
        silo._process.OutputDataReceived += (_, e) => silo.Log(name, e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.Log(name, e.Data);
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>SIGKILL: the process ends at once, with connections reset and its membership row left Active.</summary>
    public void Kill()
    {
        _quiet = true;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as ECS sends at a task's stop: the host stops gracefully within its shutdown timeout.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits for the process to end; its exit code, or null if it still runs after <paramref name="timeout"/>.</summary>
    public int? WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout) ? _process.ExitCode : null;

    public void Dispose()
    {
        _quiet = true;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Log(string name, string? line)
    {
        if (line is null || _quiet) return;
        try
        {
            _output.WriteLine($"{name}: {line}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished: xunit no longer takes output.
        }
    }
}
