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
    private const double Seconds = 32, SirenFrom = 18, SirenSeconds = 6;

    [Fact]
    public async Task The_page_shows_four_hum_sessions_their_spectra_and_an_alert_within_two_seconds()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run installs it)");
        var run = Guid.NewGuid().ToString("N")[..6];
        var devices = Enumerable.Range(0, 4).Select(i => new SimDevice($"sim-{run}-{i}", Scene(i), 20, "hybrid")).ToArray();
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

        // 1. The four sessions appear and settle at ≥ 25 dB (short-term, as the list shows it) before the siren.
        foreach (var device in devices) await page.WaitForSelectorAsync($"#sessions tr[data-id='{device.DeviceId}']", new() { Timeout = 20_000 });
        var watched = devices[0].DeviceId;
        await page.ClickAsync($"#sessions tr[data-id='{watched}']");
        var reductions = new double[devices.Length];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(SirenFrom - 2))
        {
            for (var i = 0; i < devices.Length; i++)
                reductions[i] = double.Parse(await page.GetAttributeAsync($"#sessions tr[data-id='{devices[i].DeviceId}'] td[data-field=reductionShortDb]", "data-value") ?? "0",
                    System.Globalization.CultureInfo.InvariantCulture);
            if (reductions.All(r => r >= 25)) break;
            await Task.Delay(250);
        }
        output.WriteLine($"reductions on the page after {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(", ", reductions.Select(r => $"{r:0.0}"))} dB");
        output.WriteLine(await page.EvaluateAsync<string>("() => JSON.stringify(window.ancLive.rows)"));
        Assert.All(reductions, r => Assert.True(r >= 25, $"{r:0.0} dB on the page"));

        // 2. The watched session's spectra: the hum's 100 Hz line at least 20 dB lower in the residual than without ANC.
        await page.WaitForSelectorAsync("#detail:not([hidden])");
        var (noise100, residual100) = await LineAsync(page, 100);
        output.WriteLine($"100 Hz line: {noise100:0.0} dB without ANC, {residual100:0.0} dB residual; page says: {await page.TextContentAsync("#line")}");
        Assert.True(noise100 - residual100 >= 20, $"100 Hz: {noise100:0.0} dB without ANC, {residual100:0.0} dB residual");

        // 3. The siren's alert shows in the list within 2 s of the session raising it.
        var siren = devices[3].DeviceId;
        var alertCell = $"#sessions tr[data-id='{siren}'] td[data-field=alerts]";
        DateTime? seen = null;
        while (seen is null && !streaming.IsCompleted)
        {
            if (int.TryParse(await page.GetAttributeAsync(alertCell, "data-value"), out var count) && count > 0) seen = DateTime.UtcNow;
            else await Task.Delay(50);
        }
        Assert.True(seen is not null, $"no alert for {siren} on the page during the run");
        var detected = await page.EvaluateAsync<string>($"() => window.ancLive.rows.find(r => r.id === '{siren}').lastAlert.detectedUtc");
        var delay = seen.Value - DateTime.Parse(detected, null, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime();
        output.WriteLine($"alert {await page.TextContentAsync(alertCell)}: raised {detected}, on the page {delay.TotalMilliseconds:0} ms later");
        Assert.True(delay <= TimeSpan.FromSeconds(2), $"the alert appeared {delay.TotalMilliseconds:0} ms after it was raised");

        // The screenshot for docs/observability.md: the list (with the alert) and the hum session's view.
        await page.ClickAsync($"#sessions tr[data-id='{watched}']");
        await page.WaitForFunctionAsync($"() => window.ancLive.view && window.ancLive.view.row.id === '{watched}' && window.ancLive.view.spectrum");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = ScreenshotPath(), FullPage = true });
        await streaming;
        Assert.Empty(consoleErrors);
    }

    /// <summary>The levels (dB) of the watched session's spectra at <paramref name="hz"/>: the loudest bin within ±2 bins, without ANC and residual.</summary>
    private static async Task<(double Noise, double Residual)> LineAsync(IPage page, double hz)
    {
        var spectrum = await page.EvaluateAsync<JsonElement>("() => window.ancLive.view.spectrum");
        for (var tries = 0; spectrum.ValueKind != JsonValueKind.Object && tries < 40; tries++)
        {
            await Task.Delay(250);
            spectrum = await page.EvaluateAsync<JsonElement>("() => window.ancLive.view.spectrum");
        }
        Assert.Equal(JsonValueKind.Object, spectrum.ValueKind);
        var binHz = spectrum.GetProperty("binHz").GetDouble();
        var noise = spectrum.GetProperty("noiseDb").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var residual = spectrum.GetProperty("residualDb").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var k = (int)Math.Round(hz / binHz);
        return (noise[(k - 2)..(k + 3)].Max(), residual[(k - 2)..(k + 3)].Max());
    }

    /// <summary><c>anc sim</c>'s hum scene (48 kHz, seed i + 1); device 3 also hears a siren, in both mics, for a few seconds.</summary>
    private static AcousticScene Scene(int i)
    {
        var scene = Scenarios.Create("hum", 48_000, Seconds, 20, i + 1);
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
