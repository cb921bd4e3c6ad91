using System.Globalization;
using System.Net;
using System.Text;
using AncOrleans.Acoustics.Evaluation;
using AncOrleans.Dsp;

namespace AncOrleans.Cli.Eval;

/// <summary>
/// <c>anc eval --plot out.html</c>: one self-contained HTML page (inline SVG, no script, nothing fetched) with, per case,
/// the reduction over time (10·log10 of noise over residual energy in 100 ms windows) and the spectra before (the
/// error mic without ANC) and after (with it), averaged over the last half of the run (Welch: Hann windows of ~85 ms,
/// half overlapping) on a log-frequency axis.
/// </summary>
internal static class EvalPlot
{
    private const double Width = 440, Height = 220, Left = 48, Right = 12, Top = 14, Bottom = 32;

    public static void Write(string path, IReadOnlyList<EvalResult> results)
    {
        var html = new StringBuilder();
        html.Append("""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>anc eval</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
            section{margin:0 0 2em;border-top:1px solid #ccc;padding-top:.6em}
            h2{font-size:1.05em;margin:.2em 0 .5em}
            svg{background:#fafafa;border:1px solid #ddd;margin-right:1em}
            .grid{stroke:#e3e3e3}.axis{font-size:11px;fill:#555}.before{stroke:#c0392b;fill:none}.after{stroke:#2471a3;fill:none}.red{stroke:#2e7d32;fill:none}
            .key{font-size:12px}
            </style></head><body>
            <h1>anc eval</h1>
            <p class="key">Reduction over time (green); spectra before ANC (<span style="color:#c0392b">red</span>) and after (<span style="color:#2471a3">blue</span>), dB re full scale.</p>

            """);
        foreach (var r in results)
        {
            var title = $"{r.Scenario} · {r.Mode} · {r.Peer ?? r.Algorithm} · D {r.DelayMs:0.#} ms · {r.SampleRate / 1000} kHz — {r.ReductionDb:0.0} dB (bound {r.BoundDb:0.0} dB)";
            html.Append(CultureInfo.InvariantCulture, $"<section><h2>{WebUtility.HtmlEncode(title)}</h2>\n");
            html.Append(ReductionChart(r)).Append(SpectrumChart(r)).Append("</section>\n");
        }
        html.Append("</body></html>\n");
        File.WriteAllText(path, html.ToString());
    }

    /// <summary>(seconds, dB) per 100 ms window.</summary>
    public static List<(double Seconds, double Db)> ReductionOverTime(EvalResult r)
    {
        var window = Math.Max(1, r.SampleRate / 10);
        var points = new List<(double, double)>();
        var n = Math.Min(r.Noise.Length, r.Residual.Length);
        for (var start = 0; start + window <= n; start += window)
        {
            double noise = 0, residual = 0;
            for (var i = start; i < start + window; i++)
            {
                noise += r.Noise[i] * (double)r.Noise[i];
                residual += r.Residual[i] * (double)r.Residual[i];
            }
            if (noise > 0 && residual > 0) points.Add(((start + window) / (double)r.SampleRate, 10 * Math.Log10(noise / residual)));
        }
        return points;
    }

    /// <summary>Welch power spectrum (dB re full scale) of the last half of <paramref name="x"/>: (Hz, dB) per bin from the first above 0 Hz.</summary>
    public static List<(double Hz, double Db)> Spectrum(float[] x, int sampleRate)
    {
        var size = 8;
        while (size < sampleRate / 12) size *= 2;
        var fft = new RealFft(size);
        var window = HannWindow.Periodic(size);
        var sum = window.Sum(w => (double)w);
        var power = new double[fft.Bins];
        var frame = new float[size];
        var re = new float[fft.Bins];
        var im = new float[fft.Bins];
        var frames = 0;
        for (var start = x.Length / 2; start + size <= x.Length; start += size / 2, frames++)
        {
            for (var i = 0; i < size; i++) frame[i] = x[start + i] * window[i];
            fft.Forward(frame, re, im);
            for (var k = 0; k < power.Length; k++) power[k] += 2 * (re[k] * (double)re[k] + im[k] * (double)im[k]) / (sum * sum);
        }
        var points = new List<(double, double)>();
        for (var k = 1; k < power.Length && frames > 0; k++)
            points.Add((k * (double)sampleRate / size, 10 * Math.Log10(Math.Max(power[k] / frames, 1e-20))));
        return points;
    }

    private static string ReductionChart(EvalResult r)
    {
        var points = ReductionOverTime(r);
        var maxT = Math.Max(r.Seconds, points.Count == 0 ? 1 : points[^1].Seconds);
        var (lo, hi) = Range(points.Select(p => p.Db), -10, 10);
        var svg = new Svg("reduction over time");
        svg.Grid(0, maxT, lo, hi, log: false, "s", "dB");
        svg.Line(points.Select(p => (p.Seconds, p.Db)), 0, maxT, lo, hi, log: false, "red");
        return svg.ToString();
    }

    private static string SpectrumChart(EvalResult r)
    {
        var before = Thin(Spectrum(r.Noise, r.SampleRate));
        var after = Thin(Spectrum(r.Residual, r.SampleRate));
        var (lo, hi) = Range(before.Concat(after).Select(p => p.Db), -120, -20);
        lo = Math.Max(lo, hi - 120);
        var top = r.SampleRate / 2.0;
        var svg = new Svg("spectra before and after");
        svg.Grid(20, top, lo, hi, log: true, "Hz", "dB");
        svg.Line(before.Select(p => (p.Hz, p.Db)), 20, top, lo, hi, log: true, "before");
        svg.Line(after.Select(p => (p.Hz, p.Db)), 20, top, lo, hi, log: true, "after");
        return svg.ToString();
    }

    /// <summary>At most ~400 points, log-spaced (the maximum of each group, so narrow lines survive).</summary>
    private static List<(double Hz, double Db)> Thin(List<(double Hz, double Db)> points)
    {
        var thinned = new List<(double, double)>();
        var step = Math.Pow(10, 1.0 / 120);
        var edge = 20.0;
        (double Hz, double Db)? best = null;
        foreach (var p in points.Where(p => p.Hz >= 20))
        {
            while (p.Hz >= edge * step)
            {
                if (best is { } b) thinned.Add(b);
                best = null;
                edge *= step;
            }
            if (best is null || p.Db > best.Value.Db) best = p;
        }
        if (best is { } last) thinned.Add(last);
        return thinned;
    }

    private static (double Lo, double Hi) Range(IEnumerable<double> values, double defaultLo, double defaultHi)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return (defaultLo, defaultHi);
        var lo = Math.Floor(finite.Min() / 10) * 10;
        var hi = Math.Ceiling(finite.Max() / 10) * 10;
        return hi - lo < 10 ? (lo - 5, hi + 5) : (lo, hi);
    }

    /// <summary>One chart: a frame, grid lines with labels, polylines.</summary>
    private sealed class Svg(string label)
    {
        private readonly StringBuilder _body = new();

        private static double X(double v, double min, double max, bool log) =>
            Left + (Width - Left - Right) * (log ? Math.Log10(v / min) / Math.Log10(max / min) : (v - min) / (max - min));

        private static double Y(double v, double min, double max) => Top + (Height - Top - Bottom) * (1 - (Math.Clamp(v, min, max) - min) / (max - min));

        public void Grid(double xMin, double xMax, double yMin, double yMax, bool log, string xUnit, string yUnit)
        {
            var ticks = log
                ? new[] { 20.0, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000 }.Where(t => t <= xMax)
                : Enumerable.Range(0, 11).Select(i => xMin + i * (xMax - xMin) / 10);
            foreach (var t in ticks)
            {
                var x = X(t, xMin, xMax, log);
                _body.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Height - Bottom}\"/>");
                _body.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{x:0.#}\" y=\"{Height - Bottom + 14}\" text-anchor=\"middle\">{(t >= 1000 ? $"{t / 1000:0.#}k" : $"{t:0.#}")}</text>");
            }
            var yStep = yMax - yMin <= 60 ? 10 : 20; // the range is whole tens
            for (var v = yMin; v <= yMax + 1e-9; v += yStep)
            {
                var y = Y(v, yMin, yMax);
                _body.Append(CultureInfo.InvariantCulture, $"<line class=\"grid\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\"/>");
                _body.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{v:0}</text>");
            }
            _body.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"{Width - Right}\" y=\"{Height - 4}\" text-anchor=\"end\">{xUnit}</text>");
            _body.Append(CultureInfo.InvariantCulture, $"<text class=\"axis\" x=\"4\" y=\"{Top - 2}\">{yUnit}</text>");
        }

        public void Line(IEnumerable<(double X, double Y)> points, double xMin, double xMax, double yMin, double yMax, bool log, string css)
        {
            var coordinates = string.Join(' ', points.Where(p => p.X >= xMin && p.X <= xMax && double.IsFinite(p.Y))
                .Select(p => string.Create(CultureInfo.InvariantCulture, $"{X(p.X, xMin, xMax, log):0.#},{Y(p.Y, yMin, yMax):0.#}")));
            _body.Append(CultureInfo.InvariantCulture, $"<polyline class=\"{css}\" stroke-width=\"1.3\" points=\"{coordinates}\"/>");
        }

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{label}\">{_body}</svg>\n");
    }
}
