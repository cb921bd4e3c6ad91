using System.Text.Json;
using AncOrleans.Cli.Classify;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Tests;

/// <summary><c>anc classify --input file.wav --json</c>: one object per 1 s window with the fields the issue names.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ClassifyCommandTests
{
    [Fact]
    public void Json_has_one_window_per_second_with_label_confidence_and_emergency()
    {
        var file = Path.Combine(Path.GetTempPath(), $"anc-classify-{Guid.NewGuid():N}.wav");
        try
        {
            // stereo at 44.1 kHz: any common rate and channel count is accepted
            var hum = NoiseLibrary.Render("hum", 44_100, 4, new NoiseGenerator(77));
            WavFile.Write(file, 44_100, hum, hum);
            var output = new StringWriter();
            var previous = Console.Out;
            Console.SetOut(output);
            try
            {
                var command = new System.CommandLine.RootCommand { ClassifyCommand.Create() };
                Assert.Equal(0, command.Parse(["classify", "--input", file, "--json"]).Invoke());
            }
            finally
            {
                Console.SetOut(previous);
            }
            var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(4, lines.Length);
            for (var i = 0; i < lines.Length; i++)
            {
                using var json = JsonDocument.Parse(lines[i]);
                var root = json.RootElement;
                Assert.Equal(i, root.GetProperty("startSec").GetDouble());
                Assert.Equal("hum", root.GetProperty("label").GetString());
                Assert.InRange(root.GetProperty("confidence").GetDouble(), 0.5, 1);
                Assert.False(root.GetProperty("emergency").GetBoolean());
                Assert.Equal(JsonValueKind.Null, root.GetProperty("emergencyType").ValueKind);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_wav_gets_a_clear_error_and_exit_code_2()
    {
        var file = Path.Combine(Path.GetTempPath(), $"anc-classify-{Guid.NewGuid():N}.wav");
        File.WriteAllText(file, "not audio");
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            var command = new System.CommandLine.RootCommand { ClassifyCommand.Create() };
            Assert.Equal(2, command.Parse(["classify", "--input", file]).Invoke());
        }
        finally
        {
            Console.SetError(previous);
            File.Delete(file);
        }
        Assert.StartsWith("anc classify:", error.ToString());
    }
}
