using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;

namespace AncOrleans.Tests;

/// <summary>
/// The pretrained tagger's C# network (<see cref="YamNet"/>) against a naive reference, on a tiny model of YAMNet's
/// shape written by <see cref="TinyTfLite"/> (the real file is not shipped, docs/classifier.md); its streaming
/// (<see cref="YamNetStream"/>) and its vote in the emergency decision.
/// </summary>
public sealed class YamNetTests
{
    private const int Classes = 521;

    private static float[] Random(Random r, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => (float)((r.NextDouble() * 2 - 1) * scale)).ToArray();

    private static (byte[] File, float[] Window, float[] Mel, float[] Offset, List<TinyTfLite.Layer> Layers, float[] Dense, float[] Bias) Tiny(int seed, float[]? bias = null)
    {
        var r = new Random(seed);
        var window = Enumerable.Range(0, 400).Select(n => (float)(0.5 - 0.5 * Math.Cos(2 * Math.PI * n / 400))).ToArray();
        var mel = Enumerable.Range(0, 64 * 257).Select(_ => (float)(r.NextDouble() * 0.02)).ToArray();
        var offset = Enumerable.Repeat(0.001f, 64).ToArray();
        var layers = new List<TinyTfLite.Layer>
        {
            new(false, 3, 4, 2, Random(r, 4 * 9, 0.5), Random(r, 4, 0.1)),
            new(true, 3, 4, 1, Random(r, 9 * 4, 0.5), Random(r, 4, 0.1), Int8: true),
            new(false, 1, 6, 1, Random(r, 6 * 4, 0.5), Random(r, 6, 0.1), Int8: true),
            new(true, 3, 6, 2, Random(r, 9 * 6, 0.5), Random(r, 6, 0.1)),
            new(false, 1, 8, 1, Random(r, 8 * 6, 0.5), Random(r, 8, 0.1)),
        };
        var dense = Random(r, Classes * 8, 0.3);
        bias ??= Random(r, Classes, 0.5);
        return (TinyTfLite.Build(window, mel, offset, layers, dense, bias), window, mel, offset, layers, dense, bias);
    }

    [Fact]
    public void The_network_and_its_front_end_match_a_naive_reference_on_a_tiny_model_of_YAMNets_shape()
    {
        var (file, window, mel, offset, layers, dense, bias) = Tiny(7);
        var net = new YamNet(TfLiteFile.Parse(file));
        Assert.Equal(Classes, net.Classes);
        Assert.Equal(8, net.Channels);

        var r = new Random(3);
        var frame = Random(r, 400);
        var bands = new float[64];
        net.LogMel(frame, bands);
        for (var m = 0; m < 64; m++)
        {
            double sum = offset[m];
            for (var k = 0; k <= 256; k++)
            {
                double re = 0, im = 0;
                for (var n = 0; n < 400; n++)
                {
                    re += frame[n] * window[n] * Math.Cos(2 * Math.PI * k * n / 512);
                    im -= frame[n] * window[n] * Math.Sin(2 * Math.PI * k * n / 512);
                }
                sum += mel[m * 257 + k] * Math.Sqrt(re * re + im * im);
            }
            Assert.Equal(Math.Log(sum), bands[m], 3);
        }

        var patch = Random(r, 96 * 64, 3);
        var scores = new float[Classes];
        net.Scores(patch, scores);
        var expected = Reference(patch, layers, dense, bias);
        for (var c = 0; c < Classes; c++) Assert.Equal(expected[c], scores[c], 4);
        var again = new float[Classes];
        net.Scores(patch, again); // the per-thread work arrays carry nothing over
        Assert.Equal(scores, again);
    }

    /// <summary>NHWC convolutions with TensorFlow's SAME padding, int8 layers as their quantised values, written plainly.</summary>
    private static double[] Reference(float[] patch, List<TinyTfLite.Layer> layers, float[] dense, float[] bias)
    {
        int h = 96, w = 64, c = 1;
        var x = patch.Select(v => (double)v).ToArray();
        foreach (var l in layers)
        {
            var weights = l.Weights.Select(v => (double)v).ToArray();
            if (l.Int8)
            {
                var scale = l.Weights.Max(MathF.Abs) / 127;
                weights = l.Weights.Select(v => (double)(sbyte)Math.Round(v / scale) * scale).ToArray();
            }
            int oh = (h + l.Stride - 1) / l.Stride, ow = (w + l.Stride - 1) / l.Stride;
            int pt = Math.Max((oh - 1) * l.Stride + l.K - h, 0) / 2, pl = Math.Max((ow - 1) * l.Stride + l.K - w, 0) / 2;
            var y = new double[oh * ow * l.Cout];
            for (var oy = 0; oy < oh; oy++)
                for (var ox = 0; ox < ow; ox++)
                    for (var co = 0; co < l.Cout; co++)
                    {
                        double sum = l.Bias[co];
                        for (var ky = 0; ky < l.K; ky++)
                            for (var kx = 0; kx < l.K; kx++)
                            {
                                int iy = oy * l.Stride + ky - pt, ix = ox * l.Stride + kx - pl;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                if (l.Depthwise) sum += x[(iy * w + ix) * c + co] * weights[(ky * l.K + kx) * l.Cout + co];
                                else for (var ci = 0; ci < c; ci++) sum += x[(iy * w + ix) * c + ci] * weights[((co * l.K + ky) * l.K + kx) * c + ci];
                            }
                        y[(oy * ow + ox) * l.Cout + co] = Math.Max(0, sum);
                    }
            (x, h, w, c) = (y, oh, ow, l.Cout);
        }
        var mean = new double[c];
        for (var p = 0; p < h * w; p++) for (var k = 0; k < c; k++) mean[k] += x[p * c + k] / (h * w);
        return Enumerable.Range(0, bias.Length).Select(k =>
        {
            var z = bias[k] + Enumerable.Range(0, c).Sum(i => dense[k * c + i] * mean[i]);
            return 1 / (1 + Math.Exp(-z));
        }).ToArray();
    }

    [Fact]
    public void A_file_that_is_not_a_TensorFlow_Lite_model_is_refused_clearly()
    {
        Assert.Throws<InvalidDataException>(() => TfLiteFile.Parse(new byte[64]));
        var (file, _, _, _, _, _, _) = Tiny(1);
        Assert.Throws<InvalidDataException>(() => TfLiteFile.Parse(file[..(file.Length / 3)]));
    }

    [Fact]
    public void The_stream_scores_a_patch_every_48_frames_once_96_exist_and_its_gate_skips_without_scoring()
    {
        var net = new YamNet(TfLiteFile.Parse(Tiny(2).File));
        var stream = new YamNetStream(net);
        var ends = new List<double>();
        stream.PatchScored += (_, end) => ends.Add(end);
        var noise = Random(new Random(5), 16_000 * 2, 0.1);
        for (var i = 0; i < noise.Length; i += 160) stream.Push(noise.AsSpan(i, 160)); // 10 ms chunks
        // frames at 160 n … 160 n + 400: the 96th ends at 15,600 samples, then every 48 frames (7,680 samples)
        Assert.Equal([0.975, 1.455, 1.935], ends.Select(e => Math.Round(e, 3)));
        var gated = new YamNetStream(net) { ShouldScore = () => false };
        gated.PatchScored += (_, _) => Assert.Fail("a gated patch was scored");
        gated.Push(noise);
        Assert.Equal((0, 3), (gated.Scored, gated.Skipped));
    }

    [Fact]
    public void A_tagger_sure_of_a_siren_alerts_on_its_own_and_the_kinds_without_a_threshold_never_do()
    {
        var bias = Enumerable.Repeat(-8f, Classes).ToArray();
        bias[AudioSetEmergencies.Siren[4]] = 8; // "Siren": the tagger hears one in anything
        var net = new YamNet(TfLiteFile.Parse(Tiny(3, bias).File));
        var model = NoiseClassifierModel.LoadShared(new AncOrleans.Grains.Classification.ClassifierOptions().ResolvedModelPath);
        var silence = new float[48_000 * 3];
        var detector = new FusedEmergencyDetector(48_000, model, tagger: net);
        var alerts = new List<(string Kind, double At)>();
        detector.Detected += (kind, at) => alerts.Add((kind, at));
        detector.Push(silence);
        var (kind, at) = Assert.Single(alerts);
        Assert.Equal(EmergencyKind.Siren, kind);
        Assert.InRange(at, 0.97, 1.0); // the first patch's end

        // with a gate, patches without a pattern or model evidence are skipped (the first, before any window, is scored)
        var gated = new FusedEmergencyDetector(48_000, model, new EmergencyFusionOptions { TaggerGate = 0.9 }, net);
        gated.Push(silence);
        Assert.Equal((1, 4), gated.TaggerPatches); // patches end at 0.975, 1.455, 1.935, 2.415 and 2.895 s

        var none = new FusedEmergencyDetector(48_000, model, new EmergencyFusionOptions { TaggerAlone = new Dictionary<string, double>() }, net);
        none.Detected += (k, _) => Assert.Fail($"alert {k} without a tagger threshold");
        none.Push(silence);
    }

    [Fact]
    public void The_tagged_decision_takes_the_kind_that_clears_its_threshold_by_most()
    {
        var fusion = new EmergencyFusion(["siren", "car_horn", "music"], tagged: true);
        var scores = new float[Classes];
        Assert.Null(fusion.DecideTagged(scores));
        scores[302] = 0.31f; // horn, θ 0.3
        Assert.Equal(EmergencyKind.CarHorn, fusion.DecideTagged(scores));
        scores[318] = 0.25f; // ambulance siren, θ 0.2: clears by more
        Assert.Equal(EmergencyKind.Siren, fusion.DecideTagged(scores));
        Assert.Null(fusion.DecideTagged(new float[10])); // a tagger of another vocabulary: no evidence
        // the in-house model vetoes what it was taught is a doorbell or music (≥ 0.5 in its latest window)
        var labelled = new EmergencyFusion(["siren", "car_horn", "music", "doorbell"], tagged: true);
        Assert.Null(labelled.DecideTagged(scores, new float[] { 0, 0, 0.6f, 0 }));
        Assert.Null(labelled.DecideTagged(scores, new float[] { 0, 0, 0, 0.9f }));
        Assert.Equal(EmergencyKind.Siren, labelled.DecideTagged(scores, new float[] { 0, 0, 0.4f, 0.4f }));
        Assert.Equal(EmergencyKind.Siren, labelled.DecideTagged(scores)); // no window yet: no veto
        // with a tagger the model alone no longer raises sirens and horns (ModelAloneWithTagger is empty)
        var probabilities = new float[] { 0.99f, 0, 0.01f };
        Assert.Null(fusion.Decide(null, probabilities));
        Assert.Equal(EmergencyKind.Siren, new EmergencyFusion(["siren", "car_horn", "music"]).Decide(null, probabilities));
    }
}
