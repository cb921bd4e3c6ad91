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
