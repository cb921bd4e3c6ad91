using System.Diagnostics;
using System.Text.Json;

namespace AncOrleans.Tests.Infra;

/// <summary>
/// The offline validators under infra/tools (node scripts over the npm packages .ci/run installs into infra/.tools):
/// HashiCorp's HCL parser (@cdktf/hcl2json) and Kubernetes' schemas (kubernetes-models). Without node or the packages
/// a test is skipped with the reason, except in CI (<c>CI=true</c>), where it fails.
/// </summary>
internal static class InfraTools
{
    public static readonly string RepoRoot = FindRepoRoot();
    public static readonly string InfraDir = Path.Combine(RepoRoot, "infra");
    public static readonly string ToolsDir = Path.Combine(InfraDir, ".tools");
    public static readonly string TerraformDir = Path.Combine(InfraDir, "terraform");
    public static readonly string KubernetesDir = Path.Combine(InfraDir, "k8s");

    private const string InstallHint =
        "install them with: npm install --prefix infra/.tools @cdktf/hcl2json@0.21.0 kubernetes-models@4.5.1 yaml@2.9.1 (as .ci/run does)";

    /// <summary>Skips (locally) or fails (CI=true) when node or a package is missing.</summary>
    public static void Require(params string[] packages)
    {
        var missing = new List<string>();
        if (FindOnPath("node") is null) missing.Add("node (not on PATH)");
        foreach (var package in packages)
            if (!File.Exists(Path.Combine(ToolsDir, "node_modules", package, "package.json")))
                missing.Add($"npm package {package} (not in infra/.tools/node_modules)");
        if (missing.Count == 0) return;
        var message = $"Offline infra validation needs {string.Join(", ", missing)}; {InstallHint}.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            Assert.Fail("CI=true: " + message);
        Skip.If(true, message);
    }

    /// <summary>Runs infra/tools/SCRIPT with the tools directory and the files; returns its JSON output.</summary>
    public static JsonElement RunNode(string script, IEnumerable<string> files)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoRoot };
        start.ArgumentList.Add(Path.Combine(InfraDir, "tools", script));
        start.ArgumentList.Add(ToolsDir);
        foreach (var file in files) start.ArgumentList.Add(file);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(true);
            Assert.Fail($"{script} did not finish within 120 s");
        }
        Assert.True(process.ExitCode == 0, $"{script} exited with {process.ExitCode}: {stderr.Result}");
        using var document = JsonDocument.Parse(stdout.Result);
        return document.RootElement.Clone();
    }

    public static string Relative(string path) => Path.GetRelativePath(RepoRoot, path).Replace('\\', '/');

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AncOrleans.sln"))) return dir.FullName;
        throw new InvalidOperationException("AncOrleans.sln not found above " + AppContext.BaseDirectory);
    }
}
