using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Recordings;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Cli.Sim;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Recordings on a real S3-compatible server (s3rver, started by .ci/run on ANC_S3_URL), fetched over REST and
/// measured with sox: the WAVs hold what the session measured.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RecordingTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task A_recording_on_s3_measured_with_sox_matches_the_sessions_reduction()
    {
        var gateway = new S3RecordingGatewayFixture($"anc-test-{Guid.NewGuid():N}"[..24]);
        await gateway.InitializeAsync();
        try
        {
            using var admin = gateway.AdminClient();
            var id = "rec-" + Guid.NewGuid().ToString("N")[..8];
            var key = await gateway.ProvisionAsync(id);
            var scene = Scenarios.Create("hum", 48_000, 6, 20);
            // Recording from the session's first frame: configured and switched on before the device streams (its
            // start keeps the filter's shape, so the recorder stays on).
            (await admin.PutAsJsonAsync($"/v1/sessions/{id}/config", new SessionConfig(SecondaryPath: scene.SecondaryPath), Json)).EnsureSuccessStatusCode();
            var on = await admin.PutAsJsonAsync($"/v1/sessions/{id}/recording", new { enabled = true }, Json);
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);

            await new SimDevice(id, scene, 20, "hybrid").RunAsync(gateway.BaseUrl, key, 6, CancellationToken.None);
            var stats = (await admin.GetFromJsonAsync<SessionStats>($"/v1/sessions/{id}", Json))!;
            (await admin.PutAsJsonAsync($"/v1/sessions/{id}/recording", new { enabled = false }, Json)).EnsureSuccessStatusCode();

            var listed = (await admin.GetFromJsonAsync<List<RecordingInfo>>($"/v1/recordings?device={id}", Json))!;
            Assert.Equal(6, listed.Count); // 6 s in 2 s chunks, noise and residual each
            var directory = Directory.CreateTempSubdirectory("anc-recording-");
            try
            {
                double noise = 0, residual = 0;
                foreach (var recording in listed)
                {
                    var path = Path.Combine(directory.FullName, recording.Key.Replace('/', '_'));
                    await File.WriteAllBytesAsync(path, await admin.GetByteArrayAsync($"/v1/recordings/{recording.Key}"));
                    var energy = await SoxEnergyAsync(path);
                    if (recording.Track == RecordingKeys.Noise) noise += energy;
                    else residual += energy;
                }
                var measured = 10 * Math.Log10(noise / residual);
                output.WriteLine($"sox: {measured:0.00} dB over {listed.Count} WAVs; the session: {stats.ReductionDbSinceStart:0.00} dB since start ({stats.FramesOut} frames)");
                Assert.True(Math.Abs(measured - stats.ReductionDbSinceStart) <= 1.5, $"sox {measured:0.00} dB, session {stats.ReductionDbSinceStart:0.00} dB");
            }
            finally
            {
                directory.Delete(recursive: true);
            }
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    /// <summary>Σx² of a WAV (full scale 1) from <c>sox FILE -n stat</c>: RMS amplitude² × samples.</summary>
    private static async Task<double> SoxEnergyAsync(string path)
    {
        using var sox = Process.Start(new ProcessStartInfo("sox", [path, "-n", "stat"]) { RedirectStandardError = true, RedirectStandardOutput = true })
                        ?? throw new InvalidOperationException("sox did not start (apt-get install sox; .ci/run installs it)");
        var text = await sox.StandardError.ReadToEndAsync();
        await sox.WaitForExitAsync();
        Assert.True(sox.ExitCode == 0, text);
        double Field(string name) => double.Parse(text.Split('\n').Single(line => line.StartsWith(name, StringComparison.Ordinal)).Split(':')[1].Trim(), CultureInfo.InvariantCulture);
        var rms = Field("RMS     amplitude");
        return rms * rms * Field("Samples read");
    }
}

/// <summary>A gateway recording to s3rver (ANC_S3_URL, default 127.0.0.1:18400) in its own bucket, 2 s per chunk.</summary>
public sealed class S3RecordingGatewayFixture(string bucket) : GatewayFixture
{
    protected override string[] ExtraArguments() =>
    [
        "--Recording:Store=s3", "--Recording:ChunkSeconds=2", $"--Recording:S3:Bucket={bucket}",
        $"--Recording:S3:ServiceUrl={Environment.GetEnvironmentVariable("ANC_S3_URL") ?? "http://127.0.0.1:18400"}",
    ];
}
