using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Cli.Eval;

/// <summary>The human-readable form of <c>anc eval</c>.</summary>
internal static class EvalTable
{
    public static void Print(IReadOnlyList<EvalResult> results, TimeSpan elapsed, bool curve)
    {
        Console.WriteLine($"{"scenario",-15} {"mode",-9} {"algorithm",-13} {"D ms",5} {"rate",6} {"L",5} {"reduction dB",13} {"bound dB",9} {"conv ms",8}");
        foreach (var r in results)
            Console.WriteLine($"{r.Scenario,-15} {r.Mode,-9} {r.Peer ?? r.Algorithm,-13} {r.DelayMs,5:0.#} {r.SampleRate,6} {r.FilterLength,5} {r.ReductionDb,13:0.00} {r.BoundDb,9:0.00} {r.ConvergenceMs,8:0}");
        if (curve)
            foreach (var r in results)
            {
                var window = r.SampleRate / 10;
                var points = Enumerable.Range(0, r.Noise.Length / window)
                    .Select(w => ReductionMeter.Db(r.Noise.AsSpan(w * window, window), r.Residual.AsSpan(w * window, window)).ToString("0.0"));
                Console.WriteLine($"{r.Scenario}/{r.Peer ?? r.Algorithm}/{r.DelayMs}ms dB per 100 ms: {string.Join(' ', points)}");
            }
        Console.WriteLine($"{results.Count} cases in {elapsed.TotalSeconds:0.0} s. Reduction is over the last 25 % of each run; the bound is the fixed least-squares filter of the same length and delay fitted on the whole signal (edge: at zero delay — the device filters locally; D there is how late coefficient sets arrive).");
    }
}
