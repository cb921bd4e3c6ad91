using System.CommandLine;
using System.Text.Json;
using AncOrleans.Cli.Eval;
using AncOrleans.Peers;

namespace AncOrleans.Tests;

/// <summary>
/// <c>anc eval</c> where libspeexdsp is missing (forced here through the availability probe): the SpeexDSP peer is
/// skipped with one line saying how to install it, and everything else still runs.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class EvalSkippedPeerTests
{
    private const string SkippedLine = "anc eval: skipped peer speexdsp-mdf: libspeexdsp not found (apt-get install libspeexdsp1)";

    private static readonly PeerAvailability WithoutSpeex = new(peer => peer == SpeexMdfPeer.PeerName ? SpeexMdfPeer.MissingLibrary : null);

    [Fact]
    public void The_default_run_skips_the_speex_peer_in_one_line_and_runs_ours_and_nwaves()
    {
        var (exit, output, error) = Run("eval", "--seconds", "1", "--sample-rate", "16000", "--filter-length", "128", "--json");
        Assert.Equal(0, exit);
        Assert.Equal([SkippedLine], error);
        var peers = output.Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            return json.RootElement.GetProperty("peer").GetString();
        }).ToList();
        var expected = EvalRunner.DefaultPlan(16_000, 128);
        Assert.Equal(expected.Count(c => c.Peer is null), peers.Count(p => p is null));
        Assert.Equal(expected.Count(c => c.Peer == NWavesNlmsPeer.PeerName), peers.Count(p => p == NWavesNlmsPeer.PeerName));
        Assert.DoesNotContain(SpeexMdfPeer.PeerName, peers);
    }

    [Fact]
    public void Asking_for_the_missing_peer_alone_prints_the_line_and_fails()
    {
        var (exit, output, error) = Run("eval", "--scenario", "hum", "--peer", "speexdsp-mdf", "--seconds", "1", "--json");
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Equal([SkippedLine], error);
    }

    private static (int Exit, string[] Output, string[] Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        int exit;
        try
        {
            exit = new RootCommand { EvalCommand.Create(WithoutSpeex) }.Parse(args).Invoke();
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
        return (exit, Lines(output), Lines(error));
    }

    private static string[] Lines(StringWriter writer) =>
        writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>Tests that redirect the console run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
