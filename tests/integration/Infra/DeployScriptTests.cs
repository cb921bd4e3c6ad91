using System.Diagnostics;
using Xunit.Abstractions;

namespace AncOrleans.Tests.Infra;

/// <summary>infra/deploy.sh: says what it would do, and refuses to run without working AWS credentials.</summary>
public sealed class DeployScriptTests(ITestOutputHelper output)
{
    private static readonly string Script = Path.Combine(InfraTools.InfraDir, "deploy.sh");

    [Fact]
    public void Dry_run_lists_every_step_and_runs_nothing()
    {
        var (code, stdout, stderr) = Run("--dry-run", "--tag", "t1", "dev");
        output.WriteLine(stdout + stderr);
        Assert.Equal(0, code);
        foreach (var expected in new[]
                 {
                     "terraform -chdir=", "envs/dev init", "-target=aws_ecr_repository.this", "secretsmanager put-secret-value",
                     "infra/docker/build.sh", "plan -input=false -out=tfplan -var image_tag=t1", "apply -input=false tfplan",
                     "Dry run: nothing was run",
                 })
            Assert.Contains(expected, stdout);
        Assert.False(Directory.Exists(Path.Combine(InfraTools.TerraformDir, "envs", "dev", ".terraform")), "a dry run initialised terraform");
    }

    [Fact]
    public void Without_AWS_credentials_it_refuses_and_says_what_it_would_do()
    {
        var (code, stdout, stderr) = Run("prod");
        output.WriteLine(stdout + stderr);
        Assert.Equal(3, code);
        Assert.Contains("refusing to run", stderr);
        Assert.Contains("deploy.sh would, for environment 'prod'", stderr);
        Assert.Contains("terraform plan", stderr);
    }

    [Fact]
    public void A_wrong_environment_is_refused()
    {
        var (code, _, stderr) = Run("--dry-run", "staging");
        Assert.Equal(2, code);
        Assert.Contains("unknown argument 'staging'", stderr);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = InfraTools.RepoRoot };
        start.ArgumentList.Add(Script);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // No credentials from anywhere: environment, files, instance metadata.
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE" })
            start.Environment.Remove(name);
        start.Environment["AWS_CONFIG_FILE"] = "/nonexistent/anc-aws-config";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/anc-aws-credentials";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(true);
            Assert.Fail("deploy.sh did not finish within 120 s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
