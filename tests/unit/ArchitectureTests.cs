using System.Reflection;
using System.Xml.Linq;

namespace AncOrleans.Tests;

/// <summary>
/// The layout's rules (docs/architecture.md), checked on the project files and on the built assemblies: no project
/// references an executable; what the silo and gateway ship holds no simulator, evaluation or training code;
/// the DSP is free of Orleans and ASP.NET; the classifier's serving host stands on the DSP alone.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string[] BenchOnly = ["AncOrleans.Acoustics", "AncOrleans.Peers", "AncOrleans.Cli.Commands"];

    private static string Root()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AncOrleans.sln"))) directory = directory.Parent;
        Assert.NotNull(directory);
        return directory.FullName;
    }

    private static IEnumerable<string> ProjectFiles() =>
        Directory.EnumerateFiles(Root(), "*.csproj", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                           && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static bool IsExecutable(string project)
    {
        var xml = XDocument.Load(project);
        var outputType = xml.Descendants("OutputType").LastOrDefault()?.Value;
        var web = (string?)xml.Root!.Attribute("Sdk") == "Microsoft.NET.Sdk.Web";
        return string.Equals(outputType, "Exe", StringComparison.OrdinalIgnoreCase) || (web && outputType is null);
    }

    private static IEnumerable<string> References(string project) =>
        XDocument.Load(project).Descendants("ProjectReference")
            .Select(reference => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, reference.Attribute("Include")!.Value.Replace('\\', Path.DirectorySeparatorChar))));

    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
            foreach (var reference in References(next))
                if (seen.Add(reference)) pending.Push(reference);
        return seen;
    }

    [Fact]
    public void No_project_references_an_executable_project()
    {
        var executables = ProjectFiles().Where(IsExecutable).Select(Path.GetFullPath).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(executables, path => path.EndsWith("AncOrleans.Gateway.csproj", StringComparison.Ordinal));
        Assert.Contains(executables, path => path.EndsWith("AncOrleans.Silo.csproj", StringComparison.Ordinal));
        Assert.Contains(executables, path => path.EndsWith("AncOrleans.Classifier.Serving.csproj", StringComparison.Ordinal));
        var offending = ProjectFiles().SelectMany(project => References(project).Where(executables.Contains).Select(exe => $"{project} → {exe}")).ToArray();
        Assert.True(offending.Length == 0, string.Join(Environment.NewLine, offending));
    }

    [Theory]
    [InlineData("silo/AncOrleans.Silo.csproj")]
    [InlineData("gateway/AncOrleans.Gateway.csproj")]
    public void The_shipped_executables_build_no_simulator_evaluation_or_training_code(string executable)
    {
        var closure = Closure(Path.Combine(Root(), executable)).Select(Path.GetFileNameWithoutExtension).ToArray();
        Assert.Contains("AncOrleans.Grains", closure);
        Assert.Empty(closure.Intersect(BenchOnly));
    }

    [Fact]
    public void The_classifier_serving_host_builds_on_the_dsp_alone()
    {
        // The SageMaker model container: the classifier and ASP.NET, no grains, Orleans, AWS SDK, simulator or peers.
        var project = Path.Combine(Root(), "classifier.serving", "AncOrleans.Classifier.Serving.csproj");
        var closure = Closure(project).Select(Path.GetFileNameWithoutExtension).ToArray();
        Assert.Equal(new[] { "AncOrleans.Dsp" }, closure.Select(name => name!));
        Assert.Empty(XDocument.Load(project).Descendants("PackageReference"));
    }

    [Theory]
    [InlineData("AncOrleans.Gateway.Core")]
    [InlineData("AncOrleans.Hosting")]
    public void The_shipped_assemblies_do_not_reference_the_acoustics_assembly(string shipped)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>([new AssemblyName(shipped)]);
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || !name.Name!.StartsWith("AncOrleans", StringComparison.Ordinal)) continue;
            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies()) pending.Push(reference);
        }
        Assert.Contains("AncOrleans.Dsp", seen);
        Assert.Empty(seen.Intersect(BenchOnly));
    }

    [Fact]
    public void The_dsp_is_free_of_Orleans_and_AspNetCore()
    {
        var references = typeof(AncOrleans.Dsp.AncProcessor).Assembly.GetReferencedAssemblies().Select(name => name.Name!).ToArray();
        Assert.DoesNotContain(references, name => name.StartsWith("Orleans", StringComparison.Ordinal) || name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("AncOrleans", StringComparison.Ordinal));
    }
}
