using AncOrleans.Abstractions.Protocol;
using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Cli.Sim;
using AncOrleans.Device;

namespace AncOrleans.Cli.Load;

/// <summary>
/// <c>anc load</c>: N devices replaying precomputed frames in real time, staggered evenly over the frame (10 ms; <c>--frame-ms</c> in edge mode)
/// period, every reply checked for its sequence and deadline; reports the gateway's CPU (from <c>/proc</c>) beside
/// its own, so the gateway's cost per device-second is known even with the generator on the same cores.
/// </summary>
public static class LoadCommand
{
    private const int Rate = 48_000;

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Gateway base URL", DefaultValueFactory = _ => "http://localhost:5080" };
        var devices = new Option<int>("--devices") { Description = "Devices", DefaultValueFactory = _ => 10 };
        var seconds = new Option<double>("--seconds") { Description = "Seconds of streaming", DefaultValueFactory = _ => 10 };
        var mode = new Option<string>("--mode") { Description = "antinoise | edge", DefaultValueFactory = _ => "antinoise" };
        var transport = new Option<string>("--transport") { Description = "ws (WebSocket) | mqtt", DefaultValueFactory = _ => "ws" };
        var mqttPort = new Option<int>("--mqtt-port") { Description = "MQTT broker port (host: the --url host)", DefaultValueFactory = _ => 1883 };
        var scenario = new Option<string>("--scenario") { Description = $"One of {string.Join(", ", Scenarios.Names)}", DefaultValueFactory = _ => "hum" };
        var deadline = new Option<double>("--deadline-ms") { Description = "A reply later than this after its frame was sent is late (the loop delay D)", DefaultValueFactory = _ => 20 };
        var gatewayPid = new Option<int?>("--gateway-pid") { Description = "The gateway's process id for its CPU and RSS (default: the process listening on the --url port)" };
        var interval = new Option<double>("--interval") { Description = "Also report every this many seconds (0: only the summary)", DefaultValueFactory = _ => 0 };
        var frameMs = new Option<double>("--frame-ms")
        {
            Description = "Audio per upload frame, ms: 10 in antinoise mode (the loop delay bounds it); 10–100 in edge mode, where nothing waits for a reply",
            DefaultValueFactory = _ => 10,
        };
        var dutyCycle = new Option<double>("--duty-cycle")
        {
            Description = "Edge mode: the fraction of the audio the cloud adapts on once converged (the start message's dutyCycle)",
            DefaultValueFactory = _ => 1,
        };
        var socket = new Option<string>("--socket")
        {
            Description = "WebSocket client: lean (raw sockets, one epoll thread, replies timed by the kernel's arrival stamp; Linux x86-64) | client (.NET's ClientWebSocket, timed when read)",
            DefaultValueFactory = _ => LinuxSockets.Supported ? "lean" : "client",
        };
        var json = new Option<bool>("--json") { Description = "JSON lines: an object per interval (with --interval), then the summary" };
        var roundTrips = new Option<string?>("--round-trips")
        {
            Description = "Also write every frame's round trip to this file: one line per frame, 'device frame ms' (ms 0: not answered), so stalls that hit every device at once show",
        };
        var adminKey = new Option<string?>("--admin-key") { Description = $"The gateway's admin key, to provision the load's devices (default: {DevelopmentAdminKey.EnvironmentVariable}, else the development key file a local gateway writes)" };
        var command = new Command("load", "Load a gateway with N devices replaying precomputed frames in real time; reports latency, loss and both processes' CPU.")
        {
            url, devices, seconds, mode, transport, mqttPort, scenario, deadline, gatewayPid, interval, frameMs, dutyCycle, socket, json, adminKey, roundTrips,
        };
        command.SetAction(async (parse, cancel) =>
        {
            try
            {
                if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var server)) throw new ArgumentException($"--url {parse.GetValue(url)} is not an absolute URL.");
                var key = DevelopmentAdminKey.Resolve(parse.GetValue(adminKey))
                          ?? throw new ArgumentException($"no admin key: pass --admin-key or set {DevelopmentAdminKey.EnvironmentVariable} (a local development gateway writes {DevelopmentAdminKey.DefaultPath}, which is read when neither is given).");
                var options = new LoadOptions(server, parse.GetValue(devices), parse.GetValue(seconds), parse.GetValue(mode)!, parse.GetValue(transport)!,
                    parse.GetValue(mqttPort), parse.GetValue(scenario)!, parse.GetValue(deadline), parse.GetValue(gatewayPid), parse.GetValue(interval), parse.GetValue(json), key)
                    { FrameMs = parse.GetValue(frameMs), DutyCycle = parse.GetValue(dutyCycle), Socket = parse.GetValue(socket)!, RoundTripsPath = parse.GetValue(roundTrips) };
                return await RunAsync(options, cancel);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"anc load: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or MQTTnet.Exceptions.MqttCommunicationException or TimeoutException
                or System.Net.Sockets.SocketException)
            {
                Console.Error.WriteLine($"anc load: cannot connect ({parse.GetValue(transport)}): {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private sealed record LoadOptions(Uri Url, int Devices, double Seconds, string Mode, string Transport, int MqttPort, string Scenario,
        double DeadlineMs, int? GatewayPid, double IntervalSeconds, bool Json, string AdminKey)
    {
        public double FrameMs { get; init; } = 10;
        public double DutyCycle { get; init; } = 1;
        public string Socket { get; init; } = "client";
        public string? RoundTripsPath { get; init; }
        public bool Lean => Transport == "ws" && Socket == "lean";
        public int FrameSamples => (int)Math.Round(FrameMs * Rate / 1000);
        public double FrameSeconds => (double)FrameSamples / Rate;
    }

    private static bool CliProgressShown(LoadOptions o) => o.IntervalSeconds <= 0 && Progress.CliProgress.Shown(o.Json);

    private static async Task<int> RunAsync(LoadOptions o, CancellationToken cancel)
    {
        if (o.Devices is < 1 or > 5000) throw new ArgumentException("--devices must be 1–5000.");
        if (o.Seconds is < 1 or > 7200) throw new ArgumentException("--seconds must be 1–7200.");
        if (o.Mode is not ("antinoise" or "edge")) throw new ArgumentException($"--mode must be antinoise or edge, not '{o.Mode}'.");
        if (o.Transport is not ("ws" or "mqtt")) throw new ArgumentException($"--transport must be ws or mqtt, not '{o.Transport}'.");
        if (!Scenarios.Names.Contains(o.Scenario)) throw new ArgumentException($"Unknown scenario '{o.Scenario}'. Known: {string.Join(", ", Scenarios.Names)}.");
        var edge = o.Mode == "edge";
        if (!edge && o.FrameMs != 10) throw new ArgumentException("--frame-ms applies to edge mode; antinoise frames are 10 ms (the loop delay D = 20 ms bounds them).");
        if (edge && o.FrameMs is < 10 or > 100) throw new ArgumentException("--frame-ms must be 10–100 in edge mode (the gateway's Session:MaxFrameSamples is 100 ms).");
        if (o.DutyCycle is <= 0 or > 1) throw new ArgumentException("--duty-cycle must be in (0, 1].");
        if (!edge && o.DutyCycle != 1) throw new ArgumentException("--duty-cycle applies to edge mode.");
        if (o.Socket is not ("lean" or "client")) throw new ArgumentException($"--socket must be lean or client, not '{o.Socket}'.");
        if (o.Lean && !LinuxSockets.Supported) throw new ArgumentException("--socket lean needs Linux on x86-64; use --socket client.");
        if (o.RoundTripsPath is { } tripsPath && Path.GetDirectoryName(Path.GetFullPath(tripsPath)) is { } folder && !Directory.Exists(folder))
            throw new ArgumentException($"--round-trips {tripsPath}: the folder {folder} does not exist.");
        var log = o.Json ? Console.Error : Console.Out;
        InlineSocketCompletions();

        // 10 s of the scene, looped: the frames cost nothing to produce while the load runs.
        var scene = Scenarios.Create(o.Scenario, Rate, 10, 20, seed: 1);
        var frames = new LoadFrames(scene.Reference, scene.Disturbance, Rate, o.FrameSamples, edge, scene.SecondaryPath, o.DutyCycle);
        var total = (int)(o.Seconds * Rate / o.FrameSamples);
        var run = Guid.NewGuid().ToString("N")[..6];
        var devices = Enumerable.Range(0, o.Devices).Select(i => new LoadDevice($"load-{run}-{i}", frames, total, o.DeadlineMs)).ToArray();
        var target = new SimCommand.SimTarget(o.Url, o.Transport, o.Url.Host, o.MqttPort, o.AdminKey);
        using var poller = o.Lean ? new ReplyPoller() : null;
        Func<string, CancellationToken, Task<DeviceLink>> connect = poller is null ? target.ConnectAsync
            : async (id, c) => await LeanWebSocket.ConnectAsync(o.Url, id, await target.ProvisionAsync(id, c), poller, c);
        var gateway = o.GatewayPid ?? ProcStat.ListeningOn(o.Transport == "mqtt" ? o.MqttPort : o.Url.Port);

        // Connect 16 at a time; each device's session is configured before the clock starts. How long that took, and the
        // gateway's CPU over it, are reported too: a reconnect storm after a gateway's loss is this phase.
        var connecting = Stopwatch.StartNew();
        var gatewayCpuBeforeConnect = gateway is { } gc0 ? ProcStat.CpuSeconds(gc0) : null;
        using (var gate = new SemaphoreSlim(16))
            await Task.WhenAll(devices.Select(async d =>
            {
                await gate.WaitAsync(cancel);
                try { await d.ConnectAsync(connect, cancel); }
                finally { gate.Release(); }
            }));
        var connectSeconds = connecting.Elapsed.TotalSeconds;
        var gatewayConnectCpu = gateway is { } gc1 && gatewayCpuBeforeConnect is { } before && ProcStat.CpuSeconds(gc1) is { } after ? after - before : (double?)null;
        log.WriteLine($"anc load: {o.Devices} devices connected ({o.Mode}, {o.Transport}) in {connectSeconds:0.00} s; gateway pid {gateway?.ToString() ?? "unknown"}");

        var self = Process.GetCurrentProcess();
        var selfCpu0 = self.TotalProcessorTime.TotalSeconds;
        var gatewayCpu0 = gateway is { } g0 ? ProcStat.CpuSeconds(g0) : null;
        var clock = Stopwatch.StartNew();
        var intervals = new List<object>();
        // The pacer signals its end instead of being joined: a thread-pool thread blocked in Join for the whole run
        // would leave the replies' continuations one thread short on a 2-core machine.
        var paced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            Pace(devices, total, o.FrameSamples);
            paced.TrySetResult();
        }) { IsBackground = true, Priority = ThreadPriority.Highest, Name = "anc-load-pacer" };
        var origin = Stopwatch.GetTimestamp();
        _origin = origin;
        pacer.Start();

        var report = o.IntervalSeconds > 0 ? ReportIntervalsAsync(o, devices, gateway, total, intervals, log, cancel) : Task.CompletedTask;
        // A bar on a terminal, when nothing else is printed meanwhile (no --json, no --interval).
        await Progress.CliProgress.RunAsync(CliProgressShown(o), $"anc load: {o.Devices} devices", o.Seconds, async at =>
        {
            while (!paced.Task.IsCompleted)
            {
                await Task.WhenAny(paced.Task, Task.Delay(250, cancel));
                at(clock.Elapsed.TotalSeconds);
            }
        });
        await paced.Task.WaitAsync(cancel);
        var wall = clock.Elapsed.TotalSeconds;
        var selfCpu = self.TotalProcessorTime.TotalSeconds - selfCpu0;
        var gatewayCpu = gateway is { } g1 && gatewayCpu0 is { } c0 && ProcStat.CpuSeconds(g1) is { } c1 ? c1 - c0 : (double?)null;
        // Grace for the last replies (2 s, as anc sim), then close.
        var grace = Stopwatch.StartNew();
        while (!edge && devices.Sum(d => d.Answered + d.Late) < devices.Sum(d => d.Sent) && grace.Elapsed < TimeSpan.FromSeconds(2)) await Task.Delay(20, cancel);
        if (edge) await Task.Delay(500, cancel);
        await report;
        await Task.WhenAll(devices.Select(d => d.CloseAsync()));

        if (o.RoundTripsPath is { } path) await WriteRoundTripsAsync(path, devices, total, cancel);
        var trips = devices.SelectMany(d => Enumerable.Range(0, total).Select(k => (double)d.RoundTripMs(k))).Where(v => v > 0).Order().ToArray();
        var sent = devices.Sum(d => d.Sent);
        var lost = edge ? devices.Sum(d => d.Errors) : devices.Sum(d => d.Sent - d.Answered - d.Late);
        var summary = new LoadSummary(
            Summary: true, Devices: o.Devices, Mode: o.Mode, Transport: o.Transport, Scenario: o.Scenario, Seconds: Math.Round(wall, 1),
            LatencyP50Ms: Round(SimReport.Percentile(trips, 0.50)), LatencyP99Ms: Round(SimReport.Percentile(trips, 0.99)),
            LatencyMaxMs: Round(trips.Length == 0 ? double.NaN : trips[^1]),
            FramesSent: sent, FramesLost: lost, FramesLate: devices.Sum(d => d.Late), Errors: devices.Sum(d => d.Errors),
            OutOfOrder: devices.Sum(d => d.OutOfOrder), UnknownReplies: devices.Sum(d => d.UnknownReplies), CoefficientSets: edge ? devices.Sum(d => d.Sets) : null,
            GeneratorCpuPercent: Round(100 * selfCpu / wall), GatewayCpuPercent: gatewayCpu is { } gc ? Round(100 * gc / wall) : null,
            GatewayCpuMsPerDeviceSecond: gatewayCpu is { } gd ? Round(1000 * gd / (o.Devices * wall)) : null,
            GatewayRssMb: gateway is { } g2 ? Round(ProcStat.RssMb(g2) ?? double.NaN) : null,
            LoadAverage: File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null)
        { FrameMs = o.FrameMs, DutyCycle = edge ? o.DutyCycle : null, ConnectSeconds = Round(connectSeconds), GatewayConnectCpuSeconds = gatewayConnectCpu is { } cc ? Round(cc) : null };
        if (o.Json)
        {
            Console.WriteLine(JsonSerializer.Serialize(summary, JsonOptions));
        }
        else
        {
            Console.WriteLine($"{o.Devices} devices, {o.Mode} over {o.Transport}, {o.Scenario}, {wall:0.0} s: round trip p50 {summary.LatencyP50Ms:0.00} ms, p99 {summary.LatencyP99Ms:0.00} ms, "
                + $"{summary.FramesLost} lost, {summary.FramesLate} late of {sent} sent; CPU: gateway {summary.GatewayCpuPercent?.ToString("0.0") ?? "?"} % "
                + $"({summary.GatewayCpuMsPerDeviceSecond?.ToString("0.00") ?? "?"} ms per device-second), generator {summary.GeneratorCpuPercent:0.0} % (100 % = one core); load average {summary.LoadAverage}.");
        }
        return 0;
    }

    private static long _origin;

    // Replies are handled on the socket engine's own thread rather than handed to the thread pool: one wake-up fewer
    // per reply, and a reply's arrival is timed when it is read, not when a pool thread gets to it. Measured at 40
    // devices, the generator's CPU 30–40 % → 16–18 % of a core (docs/measurements/benchmarks.md, "Ninth session").
    // The runtime reads this variable once, when the process's first socket is used; `anc load` opens none before.
    // Safe here because a reply's handler only reads a header and records a time; a server should not do it.
    private static void InlineSocketCompletions()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
            Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
    }

    // One thread sends every frame when due: device i's frame k leaves at origin + k·T + i·T / N (T: the frame's length).
    private static void Pace(LoadDevice[] devices, int total, int frameSamples)
    {
        var n = devices.Length;
        var period = Stopwatch.Frequency * frameSamples / Rate;
        long next = 0, end = (long)total * n;
        while (next < end)
        {
            var now = Stopwatch.GetTimestamp();
            while (next < end)
            {
                var k = next / n;
                var i = next % n;
                var due = _origin + k * period + i * period / n;
                if (due > now) break;
                devices[i].Send((int)k);
                next++;
            }
            if (next < end) Thread.Sleep(1);
        }
    }

    private static async Task ReportIntervalsAsync(LoadOptions o, LoadDevice[] devices, int? gateway, int total, List<object> intervals, TextWriter log, CancellationToken cancel)
    {
        var perInterval = Math.Max(1, (int)(o.IntervalSeconds * Rate / o.FrameSamples));
        var gatewayCpu = gateway is { } g ? ProcStat.CpuSeconds(g) : null;
        for (var first = 0; first < total; first += perInterval)
        {
            var last = Math.Min(total, first + perInterval);
            // Wait until this interval's frames have had their deadline + 1 s to come back.
            var ready = _origin + (long)((last * o.FrameSeconds + 1 + o.DeadlineMs / 1000) * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), ready);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel);
            var trips = new List<double>();
            int late = 0, unanswered = 0;
            foreach (var d in devices)
                for (var k = first; k < last; k++)
                {
                    var t = d.RoundTripMs(k);
                    if (t <= 0) unanswered++;
                    else
                    {
                        trips.Add(t);
                        if (t > o.DeadlineMs) late++;
                    }
                }
            var sorted = trips.Order().ToArray();
            var cpu = gateway is { } gp ? ProcStat.CpuSeconds(gp) : null;
            var line = new
            {
                interval = true,
                fromSeconds = Math.Round(first * o.FrameSeconds, 1),
                toSeconds = Math.Round(last * o.FrameSeconds, 1),
                latencyP50Ms = Round(SimReport.Percentile(sorted, 0.50)),
                latencyP99Ms = Round(SimReport.Percentile(sorted, 0.99)),
                framesLost = o.Mode == "edge" ? 0 : unanswered,
                framesLate = late,
                gatewayCpuPercent = cpu is { } c1 && gatewayCpu is { } c0 ? Round(100 * (c1 - c0) / o.IntervalSeconds) : (double?)null,
                gatewayRssMb = gateway is { } gr ? Round(ProcStat.RssMb(gr) ?? double.NaN) : (double?)null,
                loadAverage = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : null,
            };
            gatewayCpu = cpu;
            intervals.Add(line);
            if (o.Json) Console.WriteLine(JsonSerializer.Serialize(line, JsonOptions));
            else log.WriteLine($"  {line.fromSeconds,6:0}–{line.toSeconds,-6:0} s: p50 {line.latencyP50Ms:0.00} ms, p99 {line.latencyP99Ms:0.00} ms, {line.framesLost} lost, {line.framesLate} late, gateway CPU {line.gatewayCpuPercent:0.0} %, RSS {line.gatewayRssMb:0} MB, load {line.loadAverage}");
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// Every frame's round trip, "device frame ms" per line (device and frame as indices; ms 0: not answered). Frame k of
    /// every device is due at the same 10 ms slot, so a slot in which most devices are late is a stall of the gateway
    /// (or the machine), not of one connection.
    /// </summary>
    private static async Task WriteRoundTripsAsync(string path, LoadDevice[] devices, int frames, CancellationToken cancel)
    {
        await using var file = new StreamWriter(path);
        for (var i = 0; i < devices.Length; i++)
            for (var k = 0; k < frames; k++)
                await file.WriteLineAsync(FormattableString.Invariant($"{i} {k} {devices[i].RoundTripMs(k):0.###}").AsMemory(), cancel);
    }

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 2) : value;

    /// <summary>The summary: <c>anc sim --json</c>'s fields (summary, devices, latencyP50Ms, latencyP99Ms, framesLost, framesLate) and the CPU of both processes.</summary>
    private sealed record LoadSummary(bool Summary, int Devices, string Mode, string Transport, string Scenario, double Seconds,
        double LatencyP50Ms, double LatencyP99Ms, double LatencyMaxMs, int FramesSent, int FramesLost, int FramesLate, int Errors, int OutOfOrder,
        int UnknownReplies, int? CoefficientSets, double GeneratorCpuPercent, double? GatewayCpuPercent, double? GatewayCpuMsPerDeviceSecond,
        double? GatewayRssMb, string? LoadAverage)
    {
        public double FrameMs { get; init; } = 10;
        public double? DutyCycle { get; init; }

        /// <summary>Provisioning, connecting and starting every device, before the clock (s), and the gateway's CPU over it.</summary>
        public double ConnectSeconds { get; init; }

        public double? GatewayConnectCpuSeconds { get; init; }
    }
}
