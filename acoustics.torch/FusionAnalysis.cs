using System.Globalization;
using System.Text;
using System.Text.Json;
using AncOrleans.Cli.Classify;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Acoustics.Torch;

/// <summary>
/// <c>anc-train-cnn --analyse oof.json</c>: from the out-of-fold probabilities a cross-validation dumped (folds 1–3
/// only), the clip accuracy of each blend β p_CNN + (1 − β) p_LightGBM, and for the fused emergency decision a grid of
/// the thresholds per kind (θ siren, θ car horn, ρ): siren and car-horn recall and non-emergency clips alerting.
/// Nothing here trains; fold 10 is not in the file.
/// </summary>
internal static class FusionAnalysis
{
    private sealed record Dump(string[] Labels, List<OutOfFold> Clips);

    public static string Run(string path, IReadOnlyList<float> blends)
    {
        var dump = JsonSerializer.Deserialize<Dump>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidDataException($"'{path}' is empty.");
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("| β (CNN weight) | clip accuracy | siren / car_horn / non-emergency alerting at the defaults |");
        text.AppendLine("|---:|---:|---:|");
        foreach (var beta in blends)
        {
            if (beta < 1 && dump.Clips.Any(x => x.LightGbm is null)) continue;
            var probabilities = Blend(dump, beta);
            var (accuracy, siren, horn, non) = Figures(dump, probabilities, new EmergencyFusionOptions());
            text.AppendLine(c, $"| {beta:0.0} | {100 * accuracy:0.0} % | {100 * siren:0.0} % / {100 * horn:0.0} % / {100 * non:0.00} % |");
        }
        text.AppendLine();
        foreach (var beta in blends)
        {
            if (beta < 1 && dump.Clips.Any(x => x.LightGbm is null)) continue;
            var probabilities = Blend(dump, beta);
            text.AppendLine(c, $"β = {beta:0.0}: thresholds with non-emergency alerts ≤ 2 % (best siren + horn recall first)");
            text.AppendLine();
            text.AppendLine("| windows | θ siren | θ car_horn | ρ | siren | car_horn | non-emergency |");
            text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|");
            var rows = new List<(double Score, string Row)>();
            foreach (var persist in new[] { 1, 2 })
                foreach (var top in new[] { false, true })
                {
                    double[] thetas = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, double.PositiveInfinity];
                    double[] rhos = [0.02, 0.05, 0.1, 0.2, 0.3];
                    foreach (var ts in thetas)
                        foreach (var th in thetas)
                            foreach (var rho in rhos)
                            {
                                var options = new EmergencyFusionOptions
                                {
                                    EmergencyReject = rho,
                                    RejectAllBelow = rho,
                                    ModelAlone = new Dictionary<string, double> { [EmergencyKind.Siren] = ts, [EmergencyKind.CarHorn] = th },
                                    ModelAloneWindows = persist,
                                    ModelAloneNeedsTop = top,
                                };
                                var (_, siren, horn, non) = Figures(dump, probabilities, options);
                                if (non > 0.02) continue;
                                rows.Add((siren + horn, string.Create(c, $"| {persist}{(top ? ", top" : "")} | {ts:0.0} | {th:0.0} | {rho:0.00} | {100 * siren:0.0} % | {100 * horn:0.0} % | {100 * non:0.00} % |")));
                            }
                }
            foreach (var row in rows.OrderByDescending(r => r.Score).Take(int.Parse(Environment.GetEnvironmentVariable("ANC_ANALYSE_TOP") ?? "8", CultureInfo.InvariantCulture))) text.AppendLine(row.Row);
            text.AppendLine();
        }
        return text.ToString();
    }

    private static List<float[]>[] Blend(Dump dump, float beta) =>
        dump.Clips.Select(x => x.Cnn.Select((p, w) => beta >= 1 ? p : p.Select((v, k) => beta * v + (1 - beta) * x.LightGbm![w][k]).ToArray()).ToList()).ToArray();

    private static (double Accuracy, double Siren, double Horn, double NonEmergency) Figures(Dump dump, List<float[]>[] probabilities, EmergencyFusionOptions options)
    {
        var fusion = new EmergencyFusion(dump.Labels, options);
        var results = dump.Clips.Select((x, i) => ClassifyEvaluation.Judge(x.File, x.Class, new ClipTrace([], x.Patterns, []), probabilities[i], dump.Labels, fusion, urbanSound: true)).ToList();
        double Share(IEnumerable<ClassifyEvaluation.ClipResult> of) { var list = of.ToList(); return (double)list.Count(r => r.Alert is not null) / Math.Max(1, list.Count); }
        return ((double)results.Count(r => r.Predicted == r.Truth) / results.Count,
            Share(results.Where(r => r.Truth == "siren")), Share(results.Where(r => r.Truth == "car_horn")),
            Share(results.Where(r => !ClassifyEvaluation.IsEmergency(r.Truth) && !ClassifyEvaluation.IsNeither(r.Truth))));
    }
}
