using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The images' build step without a container engine: <c>infra/docker/build.sh</c> publishes the gateway and the
/// worker silo as their Dockerfiles' build stage does, and the published apps start as the tasks would — the
/// Dockerfile's <c>ENV</c> lines, then <c>infra/docker/{app}.env</c> (the task definition's environment), then only
/// what differs on this machine (local DynamoDB, ports on loopback, the deployment's cluster id and admin key). The
/// gateway must become ready (<c>/readyz</c>), the silo join it, and both leave on SIGTERM.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class ImageBuildTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Root = FindRoot();
    private readonly string _out = Path.Combine(Path.GetTempPath(), $"anc-images-{Guid.NewGuid():N}");
    private readonly List<Process> _processes = [];

    [Fact]
    public async Task The_published_gateway_and_silo_start_with_the_task_environment()
    {
        var gatewayDll = Publish("gateway");
        var siloDll = Publish("silo");
        var dynamo = DynamoDbLocal.Options();
        var adminKey = $"ci-admin-{Guid.NewGuid():N}";
        var httpPort = GatewayFixture.FreePort();
        // What a deployment adds to the env files (docs in infra/docker/gateway.env), and loopback ports so that the
        // test can run beside others; nothing else differs from the task.
        var deployment = new Dictionary<string, string>
        {
            ["Orleans__ClusterId"] = $"img-{Guid.NewGuid():N}"[..16],
            ["DynamoDB__ServiceUrl"] = dynamo.ServiceUrl!,
            ["DynamoDB__TablePrefix"] = dynamo.TablePrefix,
        };
        var gateway = Start("gateway", gatewayDll, new(deployment)
        {
            ["Auth__AdminKey"] = adminKey,
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Orleans__SiloPort"] = $"{GatewayFixture.FreePort()}",
            ["Orleans__GatewayPort"] = $"{GatewayFixture.FreePort()}",
            ["Mqtt__EmbeddedBrokerPort"] = $"{GatewayFixture.FreePort()}",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(5) };

        var clock = Stopwatch.StartNew();
        var ready = await WaitReadyAsync(http, gateway, TimeSpan.FromMinutes(3));
        output.WriteLine($"gateway ready after {clock.Elapsed.TotalSeconds:0.0} s: {ready}");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/cluster")).StatusCode); // production auth is on

        var silo = Start("silo", siloDll, new(deployment)
        {
            ["Orleans__SiloPort"] = $"{GatewayFixture.FreePort()}",
            ["Orleans__GatewayPort"] = $"{GatewayFixture.FreePort()}",
        });
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (await ActiveSilosAsync(http) < 2)
        {
            Assert.False(silo.HasExited, "the published silo exited");
            Assert.True(DateTime.UtcNow < deadline, "the published silo did not join the gateway's cluster within 1 min");
            await Task.Delay(500);
        }

        foreach (var process in new[] { silo, gateway })
        {
            var stop = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-TERM", $"{process.Id}"])) kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(25)), "no exit within 25 s of SIGTERM (Orleans__ShutdownTimeout is 20 s)");
            output.WriteLine($"SIGTERM → exit {process.ExitCode} after {stop.Elapsed.TotalSeconds:0.0} s");
            Assert.Equal(0, process.ExitCode);
        }
    }

    /// <summary>Every key of the env files is one of the app's configuration keys or a host setting, written as the task sets it.</summary>
    [Theory]
    [InlineData("gateway")]
    [InlineData("silo")]
    public void The_env_files_are_well_formed(string app)
    {
        var env = EnvFile(app);
        Assert.NotEmpty(env);
        Assert.All(env.Keys, key => Assert.Matches("^[A-Za-z][A-Za-z0-9_]*$", key));
        Assert.Equal("dynamodb", env["Clustering__Provider"]);
        Assert.Equal("dynamodb", env["Persistence__Provider"]);
        Assert.DoesNotContain(env.Keys, key => key.StartsWith("Auth__", StringComparison.Ordinal)); // secrets come from the task definition's secrets
    }

    private string Publish(string app)
    {
        var outDir = Path.Combine(_out, app);
        var (code, log) = Run("bash", [Path.Combine(Root, "infra", "docker", "build.sh"), app, outDir]);
        Assert.True(code == 0, $"infra/docker/build.sh {app} failed:\n{log}");
        var dll = log.Trim().Split('\n')[^1].Trim();
        Assert.True(File.Exists(dll), $"build.sh printed '{dll}', which does not exist:\n{log}");
        return dll;
    }

    private Process Start(string app, string dll, Dictionary<string, string> local)
    {
        // The published folder is the working directory, as WORKDIR /app in the image: appsettings.json is read from it.
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        foreach (var (key, value) in DockerfileEnv(app).Concat(EnvFile(app)).Concat(local)) start.Environment[key] = value;
        var process = Process.Start(start)!;
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => Log(app, e.Data);
        process.ErrorDataReceived += (_, e) => Log(app, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> WaitReadyAsync(HttpClient http, Process gateway, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last;
        while (true)
        {
            Assert.False(gateway.HasExited, $"the published gateway exited with {(gateway.HasExited ? gateway.ExitCode : 0)}");
            try
            {
                var response = await http.GetAsync("/readyz");
                if (response.IsSuccessStatusCode) return await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = $"not listening ({e.Message})"; // Kestrel is not listening yet.
            }
            catch (TaskCanceledException)
            {
                // A poll that took longer than the client's 5 s: the gateway is warming up on a machine the other tests
                // share; readiness is what is waited for, until the deadline.
                last = $"no answer within {http.Timeout.TotalSeconds:0} s";
            }
            Assert.True(DateTime.UtcNow < deadline, $"/readyz not ready within {timeout}; the last poll: {last}");
            await Task.Delay(500);
        }
    }

    private static async Task<int> ActiveSilosAsync(HttpClient http)
    {
        using var cluster = JsonDocument.Parse(await http.GetStringAsync("/v1/cluster"));
        return cluster.RootElement.GetProperty("silos").GetArrayLength();
    }

    /// <summary>KEY=VALUE lines of infra/docker/{app}.env (comments and blank lines skipped).</summary>
    internal static Dictionary<string, string> EnvFile(string app) =>
        File.ReadAllLines(Path.Combine(Root, "infra", "docker", $"{app}.env"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    /// <summary>The <c>ENV KEY=VALUE</c> lines of infra/docker/{app}.Dockerfile (the image's own environment).</summary>
    private static Dictionary<string, string> DockerfileEnv(string app) =>
        File.ReadAllLines(Path.Combine(Root, "infra", "docker", $"{app}.Dockerfile"))
            .Where(line => line.StartsWith("ENV ", StringComparison.Ordinal))
            .Select(line => line[4..].Trim().Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1]);

    private static (int Code, string Log) Run(string file, string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AncOrleans.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("AncOrleans.sln not found above the test's folder");
    }

    private void Log(string app, string? line)
    {
        if (line is null) return;
        try
        {
            output.WriteLine($"{app}: {line}");
        }
        catch (InvalidOperationException)
        {
            // The test has finished.
        }
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
        }
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }
}
