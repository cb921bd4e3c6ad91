using System.Text.RegularExpressions;
using AncOrleans.Cli.Eval;

namespace AncOrleans.Tests;

/// <summary><c>anc eval --plot</c>: a self-contained page; <c>--json</c> output stays clean (no progress bar when not on a terminal).</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EvalPlotTests
{
    [Fact]
    public void The_plot_is_one_self_contained_page_and_json_output_is_unchanged()
    {
        var page = Path.Combine(Path.GetTempPath(), $"anc-plot-{Guid.NewGuid():N}.html");
        var output = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(output);
        try
        {
            var command = new System.CommandLine.RootCommand { EvalCommand.Create() };
            Assert.Equal(0, command.Parse(["eval", "--scenario", "hum", "--delay-ms", "20", "--algorithm", "hybrid", "--seconds", "3", "--json", "--plot", page]).Invoke());
        }
        finally
        {
            Console.SetOut(previous);
        }
        try
        {
            // stdout: exactly the one JSON line, nothing from a bar
            var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("{", line);
            var html = File.ReadAllText(page);
            Assert.Equal(2, Regex.Matches(html, "<svg ").Count);                // reduction over time, spectra
            Assert.Equal(3, Regex.Matches(html, "<polyline ").Count);           // one curve, two spectra
            Assert.DoesNotContain("<script", html);
            Assert.Empty(Regex.Matches(html, "(src|href)=").Cast<Match>());    // nothing fetched
        }
        finally
        {
            File.Delete(page);
        }
    }

    [Fact]
    public void The_spectrum_reads_a_sine_at_its_frequency_and_level()
    {
        const int rate = 48_000;
        var x = new float[rate * 2];
        for (var n = 0; n < x.Length; n++) x[n] = 0.5f * MathF.Sin(2 * MathF.PI * 100 * n / rate);
        var spectrum = EvalPlot.Spectrum(x, rate);
        var peak = spectrum.MaxBy(p => p.Db);
        Assert.InRange(peak.Hz, 90, 110);
        // A sine of amplitude A reads 20·log10(A/√2) when it sits on a bin; between bins the Hann window loses up to 1.4 dB.
        Assert.InRange(peak.Db, 20 * Math.Log10(0.5 / Math.Sqrt(2)) - 1.5, 20 * Math.Log10(0.5 / Math.Sqrt(2)) + 0.1);
    }
}
