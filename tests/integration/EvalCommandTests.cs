using System.Text.Json;
using AncOrleans.Cli.Eval;

namespace AncOrleans.Tests;

/// <summary><c>anc eval --json</c> prints one object per case with the fields the issue names.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EvalCommandTests
{
    [Fact]
    public void Json_lines_carry_every_field()
    {
        var lines = Run("eval", "--scenario", "hum", "--delay-ms", "20", "--algorithm", "hybrid", "--seconds", "3", "--json");
        var line = Assert.Single(lines);
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        foreach (var field in new[] { "scenario", "mode", "algorithm", "delayMs", "sampleRate", "filterLength", "reductionDb", "boundDb", "convergenceMs", "peer" })
            Assert.True(root.TryGetProperty(field, out _), $"missing {field}");
        Assert.Equal("hum", root.GetProperty("scenario").GetString());
        Assert.Equal("antinoise", root.GetProperty("mode").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("peer").ValueKind);
        Assert.True(root.GetProperty("reductionDb").GetDouble() > 25);
    }

    [Fact]
    public void A_peer_runs_in_clean_mode_through_the_same_harness()
    {
        var line = Assert.Single(Run("eval", "--scenario", "broadband", "--peer", "speexdsp-mdf", "--seconds", "2", "--json"));
        using var json = JsonDocument.Parse(line);
        Assert.Equal("speexdsp-mdf", json.RootElement.GetProperty("peer").GetString());
        Assert.Equal("clean", json.RootElement.GetProperty("mode").GetString());
    }

    [Fact]
    public void A_bad_argument_gets_a_clear_error_and_exit_code_2()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            var command = new System.CommandLine.RootCommand { EvalCommand.Create() };
            Assert.Equal(2, command.Parse(["eval", "--scenario", "jet"]).Invoke());
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Contains("Unknown scenario 'jet'", error.ToString());
    }

    private static string[] Run(params string[] args)
    {
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            var command = new System.CommandLine.RootCommand { EvalCommand.Create() };
            Assert.Equal(0, command.Parse(args).Invoke());
        }
        finally
        {
            Console.SetOut(previous);
        }
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
