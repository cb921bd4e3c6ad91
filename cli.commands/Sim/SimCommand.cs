using System.CommandLine;
using System.Text.Json;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Device;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Cli.Sim;

/// <summary><c>anc sim</c>: N simulated devices streaming a bench scenario in real time to a running gateway.</summary>
public static class SimCommand
{
    public static Command Create()
    {
        var url = new Option<Uri>("--url")
        {
            Description = "Gateway base URL",
            DefaultValueFactory = _ => new Uri("http://localhost:5080"),
            // System.CommandLine 2.0 has no built-in Uri parser: without this, any --url value was rejected.
            CustomParser = result =>
            {
                if (Uri.TryCreate(result.Tokens.Single().Value, UriKind.Absolute, out var uri)) return uri;
                result.AddError($"--url {result.Tokens.Single().Value} is not an absolute URL");
                return null;
            },
        };
        var devices = new Option<int>("--devices") { Description = "Simulated devices", DefaultValueFactory = _ => 1 };
        var scenario = new Option<string>("--scenario") { Description = $"One of {string.Join(", ", Scenarios.Names)}", DefaultValueFactory = _ => "hum" };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of audio per device", DefaultValueFactory = _ => 10 };
        var transport = new Option<string>("--transport") { Description = "ws (WebSocket) | mqtt", DefaultValueFactory = _ => "ws" };
        var mqttHost = new Option<string?>("--mqtt-host") { Description = "MQTT broker host (default: the --url host)" };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "MQTT broker port", DefaultValueFactory = _ => 1883 };
        var paced = new Option<bool>("--paced") { Description = "Real-time pacing, one 10 ms frame per device every 10 ms (always on; accepted for the load recipe)" };
        var delay = new Option<double>("--delay-ms") { Description = "Loop delay D the device allows for (playout = send + D)", DefaultValueFactory = _ => 20 };
        var algorithm = new Option<string>("--algorithm") { Description = "nlms | rls | hybrid", DefaultValueFactory = _ => "hybrid" };
        var json = new Option<bool>("--json") { Description = "One JSON object per device, then a summary object" };
        var record = new Option<DirectoryInfo?>("--record") { Description = "Write noise.wav and residual.wav per device" };
        var mode = new Option<string>("--mode") { Description = "antinoise | edge (the device filters locally with the sets the cloud sends)", DefaultValueFactory = _ => "antinoise" };
        var noise = new Option<FileInfo?>("--noise") { Description = "Stream a recording (WAV) through the bench's paths instead of a scenario" };
        var batch = new Option<double>("--batch-ms") { Description = "Edge mode: audio per upload message (10–100 ms)", DefaultValueFactory = _ => 10 };
        var update = new Option<double>("--update-ms") { Description = "Edge mode: a coefficient set at most every U ms", DefaultValueFactory = _ => 100 };
        var duty = new Option<double>("--duty-cycle") { Description = "Edge mode: fraction of the audio the cloud adapts on once converged", DefaultValueFactory = _ => 1 };
        var adminKey = new Option<string?>("--admin-key")
        {
            Description = $"The gateway's admin key, to provision the simulated devices (default: {DevelopmentAdminKey.EnvironmentVariable}, else the development key file a local gateway writes)",
        };
        var command = new Command("sim", "Simulate devices streaming to a gateway, closing the acoustic loop with the anti-noise they get back.")
        {
            url, devices, scenario, seconds, transport, mqttHost, mqttPort, paced, delay, algorithm, json, record, mode, noise, batch, update, duty, adminKey,
        };
        command.SetAction(async (parse, cancel) =>
        {
            try
            {
                var key = DevelopmentAdminKey.Resolve(parse.GetValue(adminKey))
                          ?? throw new ArgumentException($"no admin key: pass --admin-key or set {DevelopmentAdminKey.EnvironmentVariable} (a local development gateway writes {DevelopmentAdminKey.DefaultPath}, which is read when neither is given).");
                var target = new SimTarget(parse.GetValue(url)!, parse.GetValue(transport)!, parse.GetValue(mqttHost) ?? parse.GetValue(url)!.Host, parse.GetValue(mqttPort), key);
                var noiseFile = parse.GetValue(noise);
                if (parse.GetValue(mode) == "edge")
                    return await RunEdgeAsync(target, parse.GetValue(devices), parse.GetValue(scenario)!, noiseFile, parse.GetValue(seconds),
                        parse.GetValue(batch), parse.GetValue(update), parse.GetValue(duty), parse.GetValue(json), cancel);
                if (parse.GetValue(mode) != "antinoise") throw new ArgumentException($"--mode must be antinoise or edge, not '{parse.GetValue(mode)}'.");
                return await RunAsync(target, parse.GetValue(devices), parse.GetValue(scenario)!, parse.GetValue(seconds),
                    parse.GetValue(delay), parse.GetValue(algorithm)!, parse.GetValue(json), parse.GetValue(record), cancel, noiseFile);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"anc sim: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or System.Net.Sockets.SocketException or HttpRequestException)
            {
                Console.Error.WriteLine($"anc sim: cannot stream ({parse.GetValue(transport)}): {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>
    /// Where devices connect: the gateway's WebSocket, or an MQTT broker the gateway bridges. Each simulated device is
    /// provisioned through the admin API first (its key is used for the one run) and revoked after.
    /// </summary>
    internal sealed record SimTarget(Uri Url, string Transport, string MqttHost, int MqttPort, string AdminKey)
    {
        public async Task<DeviceLink> ConnectAsync(string deviceId, CancellationToken cancel)
        {
            var key = await ProvisionAsync(deviceId, cancel);
            return Transport == "mqtt"
                ? await MqttLink.ConnectAsync(MqttHost, MqttPort, deviceId, key, cancel)
                : await WebSocketLink.ConnectAsync(Url, deviceId, key, cancel);
        }

        /// <summary>Creates the device through the admin API; returns its key.</summary>
        public async Task<string> ProvisionAsync(string deviceId, CancellationToken cancel)
        {
            using var provisioning = new DeviceProvisioning(Url, AdminKey);
            return await provisioning.CreateAsync(deviceId, cancel);
        }

        public async Task RevokeAsync(string deviceId)
        {
            using var provisioning = new DeviceProvisioning(Url, AdminKey);
            await provisioning.RevokeAsync(deviceId).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task<int> RunAsync(SimTarget target, int count, string scenario, double seconds, double delayMs,
        string algorithm, bool json, DirectoryInfo? record, CancellationToken cancel, FileInfo? noise = null)
    {
        if (target.Transport is not ("ws" or "mqtt")) throw new ArgumentException($"--transport must be ws or mqtt, not '{target.Transport}'.");
        if (noise is null && !Scenarios.Names.Contains(scenario)) throw new ArgumentException($"Unknown scenario '{scenario}'. Known: {string.Join(", ", Scenarios.Names)}.");
        if (count is < 1 or > 1000) throw new ArgumentException("--devices must be 1–1000.");
        if (seconds is < 1 or > 3600) throw new ArgumentException("--seconds must be 1–3600.");
        if (delayMs < 10) throw new ArgumentException("--delay-ms must be at least 10: a 10 ms frame has to be sent before its reply can come back.");

        var run = Guid.NewGuid().ToString("N")[..6];
        var sims = Enumerable.Range(0, count)
            .Select(i => new SimDevice($"sim-{run}-{i}", SceneFor(scenario, noise, seconds, delayMs, i + 1), delayMs, algorithm))
            .ToArray();
        using var progress = json ? null : new Timer(_ => Console.Error.WriteLine(
            $"  {sims.Sum(s => s.Sent)} frames sent, {sims.Sum(s => s.Answered)} answered, {sims.Sum(s => s.Late)} late"), null, 1000, 1000);
        await Task.WhenAll(sims.Select(async s =>
        {
            try
            {
                await using var link = await target.ConnectAsync(s.DeviceId, cancel);
                await s.RunAsync(link, seconds, cancel);
            }
            finally
            {
                await target.RevokeAsync(s.DeviceId);
            }
        }));
        var reports = sims.Select(SimReport.From).ToArray();

        if (record is not null)
            foreach (var s in sims)
            {
                var dir = Directory.CreateDirectory(Path.Combine(record.FullName, s.DeviceId));
                WavFile.Write(Path.Combine(dir.FullName, "noise.wav"), 48_000, s.Scene.Disturbance[..s.Position]);
                WavFile.Write(Path.Combine(dir.FullName, "residual.wav"), 48_000, s.Ear[..s.Position]);
            }
        var all = sims.SelectMany(s => s.RoundTripsMs).Order().ToArray();
        var summary = new
        {
            summary = true,
            devices = count,
            latencyP50Ms = Round(SimReport.Percentile(all, 0.50)),
            latencyP99Ms = Round(SimReport.Percentile(all, 0.99)),
            framesLost = reports.Sum(r => r.FramesLost),
            framesLate = reports.Sum(r => r.FramesLate),
            meanReductionDb = Round(reports.Average(r => r.ReductionDb)),
        };
        // Where the late replies fell, on stderr (stdout's format is unchanged): a late reply to a frame this process
        // sent late is the simulator's own delay, one sent on time is the round trip's.
        foreach (var line in sims.Select(s => s.DescribeLateFrames()).OfType<string>()) Console.Error.WriteLine(line);
        if (json)
        {
            var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
            foreach (var r in reports) Console.WriteLine(JsonSerializer.Serialize(r with
            {
                ReductionDb = Round(r.ReductionDb), LatencyP50Ms = Round(r.LatencyP50Ms), LatencyP95Ms = Round(r.LatencyP95Ms), LatencyP99Ms = Round(r.LatencyP99Ms),
                ReductionWhenPlayedDb = r.ReductionWhenPlayedDb is { } played ? Round(played) : null,
            }, options));
            Console.WriteLine(JsonSerializer.Serialize(summary, options));
        }
        else
        {
            Console.WriteLine($"{"device",-18} {"reduction dB",12} {"p50 ms",8} {"p95 ms",8} {"p99 ms",8} {"sent",6} {"answered",9} {"late",5} {"lost",5} {"noise",-16}");
            foreach (var r in reports)
                Console.WriteLine($"{r.Device,-18} {r.ReductionDb,12:0.0} {r.LatencyP50Ms,8:0.00} {r.LatencyP95Ms,8:0.00} {r.LatencyP99Ms,8:0.00} {r.FramesSent,6} {r.FramesAnswered,9} {r.FramesLate,5} {r.FramesLost,5} {r.Noise ?? "-",-16}");
            Console.WriteLine($"{count} devices over {target.Transport}, {scenario}, D = {delayMs} ms: mean reduction {summary.meanReductionDb:0.0} dB, round trip p50 {summary.latencyP50Ms:0.00} ms, p99 {summary.latencyP99Ms:0.00} ms, {summary.framesLost} lost, {summary.framesLate} late"
                + $" ({reports.Sum(r => r.FramesUnplayed ?? 0)} frames heard some anti-noise missing; over the others {reports.Average(r => r.ReductionWhenPlayedDb ?? double.NaN):0.0} dB).");
        }
        return 0;
    }

    /// <summary>A bench scenario, or a recording (--noise) at 48 kHz through the bench's paths, looped to the length asked for.</summary>
    private static AcousticScene SceneFor(string scenario, FileInfo? noise, double seconds, double delayMs, int seed)
    {
        if (noise is null) return Scenarios.Create(scenario, 48_000, seconds, delayMs, seed);
        var wav = WavFile.Read(noise.FullName);
        if (wav.SampleRate != 48_000) throw new ArgumentException($"--noise: {noise.Name} is at {wav.SampleRate} Hz; the simulator runs at 48000 Hz.");
        var mono = wav.Mono();
        var length = (int)(seconds * 48_000);
        var source = new float[length];
        for (var i = 0; i < length; i++) source[i] = mono[i % mono.Length];
        return Scenarios.FromNoise(Path.GetFileNameWithoutExtension(noise.Name), 48_000, source, Scenarios.DefaultLeadMs, seed);
    }

    private static async Task<int> RunEdgeAsync(SimTarget target, int count, string scenario, FileInfo? noise, double seconds, double batchMs,
        double updateMs, double dutyCycle, bool json, CancellationToken cancel)
    {
        if (target.Transport is not ("ws" or "mqtt")) throw new ArgumentException($"--transport must be ws or mqtt, not '{target.Transport}'.");
        if (noise is null && !Scenarios.Names.Contains(scenario)) throw new ArgumentException($"Unknown scenario '{scenario}'. Known: {string.Join(", ", Scenarios.Names)}.");
        if (count is < 1 or > 1000) throw new ArgumentException("--devices must be 1–1000.");
        if (seconds is < 1 or > 3600) throw new ArgumentException("--seconds must be 1–3600.");
        if (batchMs is < 10 or > 100 || Math.Abs(batchMs / 10 - Math.Round(batchMs / 10)) > 1e-9) throw new ArgumentException("--batch-ms must be a multiple of 10 from 10 to 100.");
        var batch = (int)Math.Round(batchMs * 48);
        var run = Guid.NewGuid().ToString("N")[..6];
        var sims = Enumerable.Range(0, count)
            .Select(i => new SimEdgeDevice($"sim-{run}-{i}", SceneFor(scenario, noise, seconds, 0, i + 1), batch, updateMs, dutyCycle)).ToArray();
        await Task.WhenAll(sims.Select(async s =>
        {
            try
            {
                await using var link = await target.ConnectAsync(s.DeviceId, cancel);
                await s.RunAsync(link, seconds, cancel);
            }
            finally
            {
                await target.RevokeAsync(s.DeviceId);
            }
        }));
        var reports = sims.Select(SimReport.From).ToArray();
        var meanReduction = Round(reports.Average(r => r.ReductionDb));
        var refused = reports.Sum(r => r.SetsRefused ?? 0);
        if (json)
        {
            var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
            foreach (var r in reports) Console.WriteLine(JsonSerializer.Serialize(r with { ReductionDb = Round(r.ReductionDb) }, options));
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                summary = true, mode = "edge", devices = count, meanReductionDb = meanReduction, setsRefused = refused,
                meanSetAgeMs = Round(reports.Average(r => r.MeanSetAgeMs ?? 0)), uploadBytesPerSecond = Round(reports.Average(r => r.UploadBytesPerSecond ?? 0)),
            }, options));
        }
        else
        {
            Console.WriteLine($"{"device",-18} {"reduction dB",12} {"sets recv",9} {"applied",8} {"refused",8} {"age ms",8} {"max age",8} {"upload B/s",11} {"frames",7}");
            foreach (var r in reports)
                Console.WriteLine($"{r.Device,-18} {r.ReductionDb,12:0.0} {r.SetsReceived,9} {r.SetsApplied,8} {r.SetsRefused,8} {r.MeanSetAgeMs,8:0.0} {r.MaxSetAgeMs,8:0.0} {r.UploadBytesPerSecond,11:0} {r.FramesSent,7}");
            Console.WriteLine($"{count} devices in edge mode over {target.Transport}, {noise?.Name ?? scenario}, batches of {batchMs} ms, sets ≤ every {updateMs} ms, duty {dutyCycle}: mean reduction {meanReduction:0.0} dB, {refused} sets refused.");
        }
        return 0;
    }

    private static double Round(double value) => Math.Round(value, 2);
}
