using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The classifier's SageMaker serving host (<c>classifier.serving/</c>) as a separate process, started the way
/// SageMaker starts its image (<c>… serve</c>) on a free loopback port, with settings as environment variables
/// (<c>Serving__Key</c>). Its <c>Serving:ModelDirectory</c> defaults to an empty temporary directory, so a real
/// <c>/opt/ml/model</c> on the test machine cannot change what it serves.
/// </summary>
internal sealed class ServingHostProcess : IDisposable
{
    private readonly Process _process;
    private readonly ITestOutputHelper _output;
    private readonly StringBuilder _log = new();
    private readonly string _emptyModelDirectory;
    private volatile bool _quiet;

    private ServingHostProcess(Process process, ITestOutputHelper output, int port, string emptyModelDirectory)
    {
        _process = process;
        _output = output;
        Port = port;
        _emptyModelDirectory = emptyModelDirectory;
    }

    public int Port { get; }

    public Uri Url => new($"http://127.0.0.1:{Port}");

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>
    /// The serving host's build output: only this project is built (<c>--no-dependencies</c>: the DSP library beneath
    /// it was built with the tests), so a concurrent build of the worker silo never writes the same files.
    /// </summary>
    private static readonly Lazy<string> ServingDll = new(() =>
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)); // …/bin/<configuration>/<tfm>
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AncOrleans.sln"))) root = root.Parent;
        Assert.NotNull(root);
        var project = Path.Combine(root.FullName, "classifier.serving", "AncOrleans.Classifier.Serving.csproj");
        using (var build = Process.Start(new ProcessStartInfo("dotnet", ["build", project, "-c", configuration, "--no-dependencies", "--nologo", "-v", "q"])
               { RedirectStandardOutput = true, RedirectStandardError = true })!)
        {
            var log = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
            build.WaitForExit();
            Assert.True(build.ExitCode == 0, $"dotnet build {project} failed:\n{log}");
        }
        return Path.Combine(root.FullName, "classifier.serving", "bin", configuration, testBin.Name, "AncOrleans.Classifier.Serving.dll");
    });

    /// <summary>Starts the host (<c>dotnet AncOrleans.Classifier.Serving.dll serve</c>) with these settings and environment variables.</summary>
    public static ServingHostProcess Start(ITestOutputHelper output, IReadOnlyDictionary<string, string?>? settings = null,
        IReadOnlyDictionary<string, string>? environment = null, string[]? arguments = null, int? port = null)
    {
        var dll = ServingDll.Value;
        Assert.True(File.Exists(dll), $"serving host not built at {dll}");
        var listen = port ?? GatewayFixture.FreePort();
        var emptyModels = Directory.CreateTempSubdirectory("anc-serving-model-").FullName;
        var start = new ProcessStartInfo("dotnet", [dll, .. arguments ?? ["serve"]]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["Serving__Port"] = listen.ToString(CultureInfo.InvariantCulture);
        start.Environment["Serving__ListenAddress"] = "127.0.0.1";
        start.Environment["Serving__ModelDirectory"] = emptyModels;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment.Remove("SAGEMAKER_BIND_TO_PORT");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var host = new ServingHostProcess(Process.Start(start)!, output, listen, emptyModels);
        host._process.OutputDataReceived += (_, e) => host.Write(e.Data);
        host._process.ErrorDataReceived += (_, e) => host.Write(e.Data);
        host._process.BeginOutputReadLine();
        host._process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits until <c>/ping</c> answers 200 (generous: a loaded CI machine JITs slowly).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(_process.HasExited, $"the serving host exited ({(_process.HasExited ? _process.ExitCode : 0)}):\n{Log}");
            try
            {
                using var ping = await http.GetAsync(new Uri(Url, "/ping"));
                if (ping.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while starting.
            }
            await Task.Delay(100);
        }
        Assert.Fail($"the serving host did not answer /ping with 200 within the deadline:\n{Log}");
    }

    /// <summary>Waits for the process to end by itself (a refused configuration); false when it is still running at the deadline.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit(); // flush the redirected output
        return true;
    }

    public void Dispose()
    {
        _quiet = true;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        try
        {
            Directory.Delete(_emptyModelDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary directory.
        }
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
        if (_quiet) return;
        try
        {
            _output.WriteLine($"serving: {line}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished: xunit no longer takes output.
        }
    }
}
