using System.Text;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp;
using AncOrleans.Gateway.Live;
using AncOrleans.Grains.Sessions;
using AncOrleans.Hosting;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>What the live page shows, computed by the session (spectra, reduction history), and its channel's rules.</summary>
public sealed class LiveViewTests(ITestOutputHelper output)
{
    [Fact]
    public void A_sine_reads_its_level_in_its_bin_and_half_the_amplitude_reads_6_dB_lower()
    {
        const int rate = 16_000;
        var monitor = new SpectrumMonitor(rate);
        Assert.Equal(2048, monitor.Size);
        var noise = new float[160];
        var residual = new float[160];
        for (var n = 0; n < rate; n += 160)
        {
            for (var i = 0; i < 160; i++)
            {
                var s = (float)(0.5 * Math.Sin(2 * Math.PI * 1000 * (n + i) / rate));
                noise[i] = s;
                residual[i] = 0.5f * s;
            }
            monitor.Add(noise, residual);
        }
        Assert.True(monitor.Snapshots >= 4, $"{monitor.Snapshots} snapshots in 1 s");
        var bins = monitor.DisplayBins(4000, 1);
        var noiseDb = new float[bins];
        var residualDb = new float[bins];
        monitor.CopyTo(4000, 1, noiseDb, residualDb);
        var k = (int)Math.Round(1000 / monitor.BinHz);
        var peak = noiseDb.AsSpan(k - 1, 3).ToArray().Max();
        output.WriteLine($"1 kHz sine, amplitude 0.5: {peak:0.00} dB (expected {20 * Math.Log10(0.5 / Math.Sqrt(2)):0.00})");
        Assert.InRange(peak, 20 * Math.Log10(0.5 / Math.Sqrt(2)) - 1.5, 20 * Math.Log10(0.5 / Math.Sqrt(2)) + 0.5); // Hann scalloping ≤ 1.42 dB
        Assert.InRange(peak - residualDb.AsSpan(k - 1, 3).ToArray().Max(), 5.9, 6.1);
        Assert.True(noiseDb[k + 40] < peak - 60, "leakage 40 bins away");
    }

    [Fact]
    public async Task A_session_computes_spectra_only_while_watched_and_hum_s_100_Hz_line_drops_by_20_dB()
    {
        var pipeline = new SessionPipeline("live-test", new SessionGrainOptions(), new SessionCheckpoint());
        var device = new ClosedLoopDevice(Scenarios.Create("hum", 48_000, 9, 20), 960);
        pipeline.Configure(device.Config());
        var seconds = 0.0;
        while (!device.Finished)
        {
            await device.StepAsync(frame => Task.FromResult<AncOrleans.Abstractions.AntiNoiseFrame?>(pipeline.Process(frame, null, out _)));
            seconds += 0.01;
            if (Math.Abs(seconds - 2) < 0.005) Assert.Null(pipeline.Spectrum()); // nobody watched yet: nothing computed
            if (Math.Abs(seconds - 2) < 0.005) pipeline.Watch(5);
            if (Math.Abs(seconds - 4) < 0.005)
            {
                var spectrum = pipeline.Spectrum();
                Assert.NotNull(spectrum);
                var k = (int)Math.Round(100 / spectrum.BinHz);
                var noise = spectrum.NoiseDb.AsSpan(k - 2, 5).ToArray().Max();
                var residual = spectrum.ResidualDb.AsSpan(k - 2, 5).ToArray().Max();
                output.WriteLine($"100 Hz after 4 s of hum: {noise:0.0} dB without ANC, {residual:0.0} dB residual");
                Assert.True(noise - residual >= 20, $"{noise:0.0} vs {residual:0.0} dB");
                Assert.InRange(noise, -30, -10); // the hum's fundamental at the ear: RMS 0.1 over five harmonics
            }
        }
        Assert.Null(pipeline.Spectrum()); // 5 s of audio after the last watch: dropped
        var history = pipeline.ReductionHistory();
        Assert.InRange(history.Length, 8, 10);
        Assert.True(history[^1] >= 25, $"{history[^1]:0.0} dB");
    }

    [Fact]
    public void The_watch_allocates_nothing_per_frame_watched_or_not()
    {
        var watch = new SessionWatch();
        var block = new float[480];
        for (var i = 0; i < 1000; i++) Frame();
        ThreadAllocations.AssertNone(() =>
        {
            for (var i = 0; i < 1000; i++) Frame();
        });
        watch.Watch(48_000, 480, 60);
        for (var i = 0; i < 100; i++) Frame();
        ThreadAllocations.AssertNone(() =>
        {
            for (var i = 0; i < 1000; i++) Frame();
        });

        void Frame()
        {
            var noise = watch.NoiseBuffer(480);
            watch.Observe(48_000, 480, 30, noise, block);
        }
    }

    [Fact]
    public void A_ticket_works_once_and_not_after_it_expires()
    {
        var clock = new ManualClock();
        var tickets = new LiveTickets(Options.Create(new LiveOptions { TicketSeconds = 30 }), clock);
        var first = tickets.Issue()!.Value.Ticket;
        Assert.True(tickets.Redeem(first));
        Assert.False(tickets.Redeem(first));
        var second = tickets.Issue()!.Value.Ticket;
        clock.Now += TimeSpan.FromSeconds(31);
        Assert.False(tickets.Redeem(second));
        Assert.False(tickets.Redeem(null));
        Assert.False(tickets.Redeem("made-up"));

        // Live:MaxViewers
        Assert.True(tickets.TryEnter(1));
        Assert.False(tickets.TryEnter(1));
        tickets.Leave();
        Assert.True(tickets.TryEnter(1));
    }

    [Theory]
    [InlineData("""{"list":{"offset":0,"count":25},"watch":"dev-1"}""", null)]
    [InlineData("""{"list":null,"watch":null}""", null)]
    [InlineData("""{"list":{"offset":-1,"count":5}}""", "offset")]
    [InlineData("""{"watch":"bad id!"}""", "bad subscription")]
    [InlineData("""not json""", "bad subscription")]
    public void A_subscription_is_read_or_refused_with_the_reason(string json, string? error)
    {
        var ok = LiveFeed.TryParse(Encoding.UTF8.GetBytes(json), out var subscription, out var reason);
        Assert.Equal(error is null, ok);
        if (error is null) Assert.NotNull(subscription);
        else Assert.Contains(error, reason);
    }

    [Fact]
    public void Bad_live_and_telemetry_settings_are_refused_naming_the_key()
    {
        var live = new LiveOptionsValidator().Validate(null, new LiveOptions { UpdateIntervalMs = 100 });
        Assert.Contains("Live:UpdateIntervalMs", live.FailureMessage);
        var telemetry = new TelemetryOptionsValidator().Validate(null, new TelemetryOptions { SamplingRatio = 2, Otlp = { Endpoint = "localhost:4317", Protocol = "udp" } });
        Assert.Contains("Telemetry:SamplingRatio", telemetry.FailureMessage);
        Assert.Contains("Telemetry:Otlp:Endpoint", telemetry.FailureMessage);
        Assert.Contains("Telemetry:Otlp:Protocol", telemetry.FailureMessage);
        Assert.True(new TelemetryOptionsValidator().Validate(null, new TelemetryOptions()).Succeeded);
        Assert.False(new TelemetryOptions().Enabled); // off by default
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
