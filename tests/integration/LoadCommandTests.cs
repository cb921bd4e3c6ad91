using System.Text.Json;
using AncOrleans.Cli.Load;

namespace AncOrleans.Tests;

/// <summary>
/// <c>anc load --json</c> against the real gateway: every frame sent, every reply matched to its frame, and the summary
/// carries <c>anc sim</c>'s fields plus both processes' CPU (the gateway here is this process, found by its port); with
/// the lean WebSocket (the default on Linux x86-64) and with .NET's ClientWebSocket.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class LoadCommandTests(GatewayFixture gateway)
{
    [Theory]
    [InlineData("antinoise", "lean")]
    [InlineData("edge", "lean")]
    [InlineData("antinoise", "client")]
    public async Task The_summary_has_sims_fields_and_both_cpu_shares(string mode, string socket)
    {
        var summary = await RunAsync("load", "--url", gateway.BaseUrl.ToString(), "--devices", "2", "--seconds", "2", "--mode", mode, "--socket", socket,
            "--json", "--admin-key", gateway.AdminKey);
        foreach (var field in new[] { "summary", "devices", "latencyP50Ms", "latencyP99Ms", "framesLost", "framesLate", "generatorCpuPercent", "gatewayCpuPercent" })
            Assert.True(summary.TryGetProperty(field, out _), $"missing {field}");
        Assert.Equal(2, summary.GetProperty("devices").GetInt32());
        Assert.Equal(400, summary.GetProperty("framesSent").GetInt32());
        Assert.Equal(0, summary.GetProperty("outOfOrder").GetInt32());
        Assert.Equal(0, summary.GetProperty("unknownReplies").GetInt32());
        Assert.True(summary.GetProperty("gatewayCpuPercent").GetDouble() > 0);
        // Real time on a shared 2-core machine: frames may be late (that is what the command measures, not what this
        // test checks); most must come back.
        var missed = summary.GetProperty("framesLost").GetInt32() + summary.GetProperty("framesLate").GetInt32();
        Assert.True(missed <= 200, $"{missed} of 400 frames lost or late: {summary}");
        if (mode == "edge") Assert.True(summary.GetProperty("coefficientSets").GetInt32() > 0);
    }

    [Fact]
    public async Task Round_trips_are_written_one_line_per_device_and_frame()
    {
        var path = Path.Combine(Path.GetTempPath(), $"anc-load-trips-{Guid.NewGuid():N}.txt");
        try
        {
            var summary = await RunAsync("load", "--url", gateway.BaseUrl.ToString(), "--devices", "2", "--seconds", "1", "--json",
                "--admin-key", gateway.AdminKey, "--round-trips", path);
            var lines = await File.ReadAllLinesAsync(path);
            Assert.Equal(200, lines.Length);
            var answered = lines.Select(l => l.Split(' ')).Where(f => double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture) > 0).Count();
            Assert.Equal(200 - summary.GetProperty("framesLost").GetInt32(), answered);
            Assert.Equal(["0", "0"], lines[0].Split(' ')[..2]);
            Assert.Equal(["1", "99"], lines[^1].Split(' ')[..2]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_round_trips_file_in_a_missing_folder_is_refused_before_connecting()
    {
        var errors = new StringWriter();
        var previous = Console.Error;
        Console.SetError(errors);
        try
        {
            var command = new System.CommandLine.RootCommand { LoadCommand.Create() };
            var exit = await command.Parse(["load", "--url", "http://127.0.0.1:1", "--admin-key", "k", "--round-trips", "/no/such/folder/trips.txt"]).InvokeAsync();
            Assert.Equal(2, exit);
            Assert.Contains("--round-trips", errors.ToString());
        }
        finally
        {
            Console.SetError(previous);
        }
    }

    private static async Task<JsonElement> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var (previous, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(errors);
        try
        {
            var command = new System.CommandLine.RootCommand { LoadCommand.Create() };
            var exit = await command.Parse(args).InvokeAsync();
            Assert.True(exit == 0, $"anc load exited {exit}: {errors}");
        }
        finally
        {
            Console.SetOut(previous);
            Console.SetError(previousError);
        }
        var last = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        return JsonDocument.Parse(last).RootElement.Clone();
    }
}
