using System.Diagnostics;
using System.Text.Json;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Cli.Sim;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Emergency;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The live page in a real headless Chromium (Debian's <c>chromium</c>, driven by Playwright through its executable
/// path: no browser download) while four of <c>anc sim</c>'s devices stream hum through the gateway, one of them
/// with a siren half-way. Saves the screenshot shown in docs/observability.md.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class LivePageBrowserTests(GatewayFixture gateway, ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const double Seconds = 40, SirenFrom = 18, SirenSeconds = 6;

    // The loop delay D the devices declare: 40 ms, the top of the range, not anc sim's 20. A reply later than D is a
    // frame the device plays no anti-noise for, and one such frame holds the page's 1 s meter near 20 dB for about a
    // second; with the whole suite on CI's two cores, replies of 20–40 ms came often enough that one session never
    // showed a second above 25 dB (23.4 dB, once). Hum is predictable, so D = 40 ms costs the canceller nothing here.
    private const double DelayMs = 40;

    [Fact]
    public async Task The_page_shows_four_hum_sessions_their_spectra_and_an_alert_within_two_seconds()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run installs it)");
        var run = Guid.NewGuid().ToString("N")[..6];
        var devices = Enumerable.Range(0, 4).Select(i => new SimDevice($"sim-{run}-{i}", Scene(i), DelayMs, "hybrid")).ToArray();
        var keys = await Task.WhenAll(devices.Select(d => gateway.ProvisionAsync(d.DeviceId)));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds + 30));
        var streaming = Task.WhenAll(devices.Select((d, i) => d.RunAsync(gateway.BaseUrl, keys[i], Seconds, stop.Token)));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var consoleErrors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") consoleErrors.Add($"{message.Text} ({message.Location})"); };
        await page.GotoAsync(gateway.BaseUrl.ToString());
        await page.FillAsync("#key", gateway.AdminKey);
        await page.ClickAsync("#login button[type=submit]");

        // The page is read as a person would read it, every 100 ms for the whole run: each session's best short-term
        // reduction on the list (outside an alert's passthrough; a late frame on this loaded 2-core machine dips a
        // session for a moment), the watched session's 100 Hz line in the spectra the page draws, and when the
        // siren's alert first shows in the list.
        foreach (var device in devices) await page.WaitForSelectorAsync($"#sessions tr[data-id='{device.DeviceId}']", new() { Timeout = 20_000 });
        var watched = devices[0].DeviceId;
        var siren = devices[3].DeviceId;
        await page.ClickAsync($"#sessions tr[data-id='{watched}']");
        await page.WaitForSelectorAsync("#detail:not([hidden])");
        var best = devices.ToDictionary(d => d.DeviceId, _ => double.NegativeInfinity);
        var bestLine = (Noise: double.NaN, Residual: double.NaN);
        DateTime? seen = null;
        string? detected = null;
        var shot = false;
        while (!streaming.IsCompleted)
        {
            var rows = await page.EvaluateAsync<JsonElement>("""
                () => Array.from(document.querySelectorAll('#sessions tbody tr')).map(tr => ({
                  id: tr.dataset.id, state: tr.querySelector('[data-field=state]').textContent,
                  reduction: Number(tr.querySelector('[data-field=reductionShortDb]').dataset.value),
                  alerts: Number(tr.querySelector('[data-field=alerts]').dataset.value) }))
                """);
            foreach (var row in rows.EnumerateArray())
            {
                var id = row.GetProperty("id").GetString()!;
                if (best.TryGetValue(id, out var b) && row.GetProperty("state").GetString() != "Passthrough")
                    best[id] = Math.Max(b, row.GetProperty("reduction").GetDouble());
                if (id == siren && seen is null && row.GetProperty("alerts").GetInt32() > 0)
                {
                    seen = DateTime.UtcNow;
                    detected = await page.EvaluateAsync<string>($"() => window.ancLive.rows.find(r => r.id === '{siren}').lastAlert.detectedUtc");
                }
            }
            if (await LineAsync(page, 100) is { } line && !(line.Noise - line.Residual <= bestLine.Noise - bestLine.Residual))
                bestLine = line;
            // The screenshot for docs/observability.md: the list (with the alert) and the hum session's view.
            if (!shot && seen is not null && DateTime.UtcNow - seen > TimeSpan.FromSeconds(1))
            {
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(), FullPage = true });
                shot = true;
            }
            await Task.Delay(100);
        }
        await streaming;

        output.WriteLine($"best reductions on the page: {string.Join(", ", best.Select(kv => $"{kv.Key} {kv.Value:0.0} dB"))}");
        Assert.All(best, kv => Assert.True(kv.Value >= 25, $"{kv.Key}: {kv.Value:0.0} dB at best on the page"));
        output.WriteLine($"100 Hz line: {bestLine.Noise:0.0} dB without ANC, {bestLine.Residual:0.0} dB residual");
        Assert.True(bestLine.Noise - bestLine.Residual >= 20, $"100 Hz: {bestLine.Noise:0.0} dB without ANC, {bestLine.Residual:0.0} dB residual");
        Assert.True(seen is not null, $"no alert for {siren} on the page during the run");
        var delay = seen.Value - DateTime.Parse(detected!, null, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime();
        output.WriteLine($"siren alert raised {detected}, on the page {delay.TotalMilliseconds:0} ms later");
        Assert.True(delay <= TimeSpan.FromSeconds(2), $"the alert appeared {delay.TotalMilliseconds:0} ms after it was raised");
        Assert.True(shot, "no screenshot");
        Assert.Empty(consoleErrors);
    }

    /// <summary>The levels (dB) of the watched session's spectra at <paramref name="hz"/> (the loudest bin within ±2 bins), without ANC and residual; null before the first spectrum.</summary>
    private static async Task<(double Noise, double Residual)?> LineAsync(IPage page, double hz)
    {
        var spectrum = await page.EvaluateAsync<JsonElement>("() => window.ancLive.view && window.ancLive.view.spectrum");
        if (spectrum.ValueKind != JsonValueKind.Object) return null;
        var binHz = spectrum.GetProperty("binHz").GetDouble();
        var noise = spectrum.GetProperty("noiseDb").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var residual = spectrum.GetProperty("residualDb").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var k = (int)Math.Round(hz / binHz);
        return (noise[(k - 2)..(k + 3)].Max(), residual[(k - 2)..(k + 3)].Max());
    }

    /// <summary><c>anc sim</c>'s hum scene (48 kHz, seed i + 1); device 3 also hears a siren, in both mics, for a few seconds.</summary>
    private static AcousticScene Scene(int i)
    {
        var scene = Scenarios.Create("hum", 48_000, Seconds, DelayMs, i + 1);
        if (i != 3) return scene;
        var from = (int)(SirenFrom * scene.SampleRate);
        var siren = EmergencySounds.Create(EmergencyKind.Siren, scene.SampleRate, SirenSeconds, new NoiseGenerator(42));
        var rms = Math.Sqrt(siren.Average(s => (double)s * s));
        var gain = (float)(0.2 / rms); // +6 dB over the hum at the ear (RMS 0.1)
        for (var n = 0; n < siren.Length && from + n < scene.Length; n++)
        {
            scene.Reference[from + n] += gain * siren[n];
            scene.Disturbance[from + n] += gain * siren[n];
        }
        return scene;
    }

    private static string ScreenshotPath()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AncOrleans.sln"))) directory = directory.Parent;
        var images = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "docs", "images");
        Directory.CreateDirectory(images);
        return Path.Combine(images, "live-page.png");
    }
}
