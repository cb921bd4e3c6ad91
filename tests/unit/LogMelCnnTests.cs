using Xunit.Abstractions;
using AncOrleans.Dsp.Classification;

namespace AncOrleans.Tests;

/// <summary>
/// The CNN's plain-C# inference (<see cref="LogMelCnn"/>): against TorchSharp (the shipped file's check patch, the
/// logits the trainer computed), against a naive four-loop reference on random weights, allocation-free, and the
/// streamed log-mel patch it reads.
/// </summary>
public sealed class LogMelCnnTests(ITestOutputHelper output)
{
    private static string ShippedCnn => NoiseClassifierModel.CnnPath(NoiseClassifierModel.DefaultPath);

    [Fact]
    public void The_shipped_cnn_gives_the_logits_TorchSharp_gave_on_its_check_patch()
    {
        var cnn = LogMelCnn.Load(ShippedCnn); // throws when |Δ logit| > 1e-3
        output.WriteLine($"max |Δ logit| against TorchSharp: {cnn.CheckError:g3}; {cnn.MultiplyAdds / 1e6:0.00} M multiply-adds; blend {cnn.Blend}");
        Assert.True(cnn.CheckError <= 1e-3f);
        Assert.Equal(NoiseTaxonomy.Labels, cnn.Labels);
        var model = NoiseClassifierModel.Load(NoiseClassifierModel.DefaultPath);
        Assert.NotNull(model.Cnn);
    }

    [Fact]
    public void A_weights_file_whose_check_does_not_match_is_refused()
    {
        var bytes = File.ReadAllBytes(ShippedCnn);
        var last = BitConverter.ToSingle(bytes, bytes.Length - 4);
        BitConverter.GetBytes(last + 0.5f).CopyTo(bytes, bytes.Length - 4);
        var error = Assert.Throws<InvalidDataException>(() => LogMelCnn.Read(new MemoryStream(bytes)));
        Assert.Contains("check patch", error.Message);
        Assert.Throws<InvalidDataException>(() => LogMelCnn.Read(new MemoryStream(bytes.AsSpan(0, bytes.Length / 2).ToArray())));
        Assert.Throws<InvalidDataException>(() => LogMelCnn.Read(new MemoryStream("not a model"u8.ToArray())));
    }

    [Fact]
    public void Inference_matches_a_naive_reference_on_random_weights()
    {
        int[] channels = [3, 5, 4];
        const int classes = 7;
        var (tensors, patch) = RandomModel(11, channels, classes);
        var expected = Reference(tensors, channels, classes, patch, 20);
        var header = new LogMelCnn.Header(Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), channels, LogMelCnn.Bands, LogMelCnn.PatchFrames, 20, 1, "test", "test");
        var stream = new MemoryStream();
        LogMelCnn.Write(stream, header, tensors, patch, expected);
        stream.Position = 0;
        var cnn = LogMelCnn.Read(stream);
        var logits = new float[classes];
        cnn.Logits(patch, logits);
        output.WriteLine($"max |Δ logit| against the reference: {cnn.CheckError:g3}");
        for (var c = 0; c < classes; c++) Assert.Equal(expected[c], logits[c], 3e-4f);
    }

    [Fact]
    public void Inference_is_a_fused_multiply_add_per_tap_in_order_bit_for_bit()
    {
        // Whatever the vector width (256 or 512 bits), each position's accumulator takes bias, then every input and tap in
        // order as one fused multiply-add (the zero border included): the logits are this scalar reference's, bit for bit.
        int[] channels = [3, 5, 4];
        const int classes = 7;
        var (tensors, patch) = RandomModel(12, channels, classes);
        var header = new LogMelCnn.Header(Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray(), channels, LogMelCnn.Bands, LogMelCnn.PatchFrames, 20, 1, "test", "test");
        var stream = new MemoryStream();
        LogMelCnn.Write(stream, header, tensors, patch, Reference(tensors, channels, classes, patch, 20));
        stream.Position = 0;
        var cnn = LogMelCnn.Read(stream);
        var logits = new float[classes];
        cnn.Logits(patch, logits);
        var expected = FusedReference(tensors, channels, classes, patch, 20);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), logits.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>The network as the inference orders its arithmetic, one position at a time, in scalar float.</summary>
    private static float[] FusedReference(List<float[]> tensors, int[] channels, int classes, float[] patch, float scale)
    {
        int height = LogMelCnn.Bands, width = LogMelCnn.Width;
        var mean = System.Numerics.Tensors.TensorPrimitives.Sum(patch) / patch.Length;
        var gain = 0.5f / scale;
        var x = new float[1, height + 2, width + 2]; // zero border
        for (var m = 0; m < height; m++)
            for (var t = 0; t < width; t++) x[0, m + 1, t + 1] = (patch[2 * t * height + m] + patch[(2 * t + 1) * height + m] - 2 * mean) * gain;
        var embedding = new float[2 * channels[^1]];
        for (var l = 0; l < channels.Length; l++)
        {
            var inputs = x.GetLength(0);
            var w = tensors[2 * l];
            var b = tensors[2 * l + 1];
            var last = l == channels.Length - 1;
            var next = new float[channels[l], height / 2 + 2, width / 2 + 2];
            for (var o = 0; o < channels[l]; o++)
            {
                var conv = new float[height, width];
                for (var y = 0; y < height; y++)
                    for (var t = 0; t < width; t++)
                    {
                        var sum = b[o];
                        for (var i = 0; i < inputs; i++)
                            for (var ky = 0; ky < 3; ky++)
                                for (var kx = 0; kx < 3; kx++) sum = MathF.FusedMultiplyAdd(x[i, y + ky, t + kx], w[((o * inputs + i) * 3 + ky) * 3 + kx], sum);
                        conv[y, t] = sum;
                    }
                float total = 0, max = 0;
                for (var y = 0; y < height / 2; y++)
                    for (var t = 0; t < width / 2; t++)
                    {
                        var v = MathF.Max(MathF.Max(MathF.Max(conv[2 * y, 2 * t], conv[2 * y, 2 * t + 1]), MathF.Max(conv[2 * y + 1, 2 * t], conv[2 * y + 1, 2 * t + 1])), 0);
                        if (last)
                        {
                            total += v;
                            max = MathF.Max(max, v);
                        }
                        else next[o, y + 1, t + 1] = v;
                    }
                if (last)
                {
                    embedding[o] = total / (height / 2 * (width / 2));
                    embedding[channels[l] + o] = max;
                }
            }
            height /= 2;
            width /= 2;
            x = next;
        }
        var dense = tensors[^2];
        var bias = tensors[^1];
        return Enumerable.Range(0, classes)
            .Select(c => bias[c] + System.Numerics.Tensors.TensorPrimitives.Dot(dense.AsSpan(c * embedding.Length, embedding.Length), embedding))
            .ToArray();
    }

    [Fact]
    public void Prediction_allocates_nothing()
    {
        var cnn = LogMelCnn.Load(ShippedCnn);
        var patch = new float[LogMelCnn.PatchFrames * LogMelCnn.Bands];
        var random = new Random(3);
        for (var i = 0; i < patch.Length; i++) patch[i] = -50 + 20 * (float)random.NextDouble();
        var probabilities = new float[cnn.Labels.Count];
        for (var i = 0; i < 3; i++) cnn.Predict(patch, probabilities);
        ThreadAllocations.AssertNone(() =>
        {
            for (var i = 0; i < 20; i++) cnn.Predict(patch, probabilities);
        });
        Assert.Equal(1, probabilities.Sum(), 3);
    }

    [Fact]
    public void The_streamed_patch_is_the_previous_window_then_the_current_one()
    {
        var random = new Random(5);
        var audio = Enumerable.Range(0, 48_000 * 4).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (300 + i / 200.0) * i / 48_000) + 0.05 * (random.NextDouble() - 0.5))).ToArray();
        var windows = NoiseFeatures.ExtractWithLogMel(audio, 48_000);
        Assert.Equal(4, windows.Count);
        var streamed = new List<float[]>();
        var features = new NoiseFeatures(48_000);
        var copy = audio.ToArray();
        for (var start = 0; start < copy.Length; start += 480)
            features.Push(copy.AsSpan(start, 480), _ => streamed.Add(features.Patch.ToArray()));
        var rebuilt = new float[LogMelCnn.PatchFrames * LogMelCnn.Bands];
        for (var w = 0; w < windows.Count; w++)
        {
            NoiseFeatures.BuildPatch(windows.Select(x => x.LogMel).ToList(), w, rebuilt);
            Assert.Equal(rebuilt, streamed[w]);
        }
        // the first window stands in for its missing predecessor
        Assert.Equal(streamed[0].AsSpan(0, rebuilt.Length / 2).ToArray(), streamed[0].AsSpan(rebuilt.Length / 2).ToArray());
    }

    [Fact]
    public void The_shipped_model_as_sessions_run_it_names_held_out_synthetic_clips()
    {
        // the decision a session uses (features and patch, the CNN blended in), on generator seeds no training used
        var model = NoiseClassifierModel.Load(NoiseClassifierModel.DefaultPath);
        int right = 0, total = 0;
        var wrong = new Dictionary<string, int>();
        foreach (var (label, index) in NoiseTaxonomy.Labels.Select((l, i) => (l, i)))
            for (var clip = 0; clip < 2; clip++)
            {
                var random = new AncOrleans.Acoustics.Scenes.NoiseGenerator(7_000_000 + 1000 * index + clip);
                var sound = AncOrleans.Acoustics.Scenes.NoiseLibrary.Render(label, NoiseFeatures.Rate, 3, random);
                var features = new NoiseFeatures();
                features.Push(sound, window =>
                {
                    var p = model.Predict(window, features.Patch);
                    var best = model.Labels[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p)];
                    total++;
                    if (best == label) right++;
                    else wrong[label] = wrong.GetValueOrDefault(label) + 1;
                });
            }
        output.WriteLine($"{right} of {total} windows right ({100.0 * right / total:0.0} %); wrong: {string.Join(", ", wrong.OrderByDescending(w => w.Value).Select(w => $"{w.Key} {w.Value}"))}");
        Assert.True(right >= MinimumSyntheticShare * total, $"{right} of {total}");
    }

    /// <summary>Measured with the shipped model (docs/classifier.md), less a margin.</summary>
    private const double MinimumSyntheticShare = 0.9; // measured 98.1 % (371 of 378), 2026-11-29

    /// <summary>conv 3 × 3 (zero padding) → relu → 2 × 2 max pool, per layer, then mean and max, then dense: four loops, no tricks.</summary>
    // Random weights (conv layers, then the dense layer) and a random log-mel patch, drawn in that order from one seed.
    private static (List<float[]> Tensors, float[] Patch) RandomModel(int seed, int[] channels, int classes)
    {
        var random = new Random(seed);
        float Next() => (float)(random.NextDouble() * 2 - 1);
        var tensors = new List<float[]>();
        for (var l = 0; l < channels.Length; l++)
        {
            tensors.Add(Enumerable.Range(0, channels[l] * (l == 0 ? 1 : channels[l - 1]) * 9).Select(_ => 0.5f * Next()).ToArray());
            tensors.Add(Enumerable.Range(0, channels[l]).Select(_ => 0.1f * Next()).ToArray());
        }
        tensors.Add(Enumerable.Range(0, classes * 2 * channels[^1]).Select(_ => Next()).ToArray());
        tensors.Add(Enumerable.Range(0, classes).Select(_ => Next()).ToArray());
        var patch = Enumerable.Range(0, LogMelCnn.PatchFrames * LogMelCnn.Bands).Select(_ => -40 + 30 * Next()).ToArray();
        return (tensors, patch);
    }

    private static float[] Reference(List<float[]> tensors, int[] channels, int classes, float[] patch, float scale)
    {
        int height = LogMelCnn.Bands, width = LogMelCnn.Width;
        var mean = patch.Average();
        var x = new float[1, height, width];
        for (var m = 0; m < height; m++)
            for (var t = 0; t < width; t++) x[0, m, t] = (0.5f * (patch[2 * t * height + m] + patch[(2 * t + 1) * height + m]) - mean) / scale;
        for (var l = 0; l < channels.Length; l++)
        {
            var inputs = x.GetLength(0);
            var w = tensors[2 * l];
            var b = tensors[2 * l + 1];
            var conv = new float[channels[l], height, width];
            for (var o = 0; o < channels[l]; o++)
                for (var y = 0; y < height; y++)
                    for (var t = 0; t < width; t++)
                    {
                        double sum = b[o];
                        for (var i = 0; i < inputs; i++)
                            for (var ky = 0; ky < 3; ky++)
                                for (var kx = 0; kx < 3; kx++)
                                {
                                    int yy = y + ky - 1, tt = t + kx - 1;
                                    if (yy >= 0 && yy < height && tt >= 0 && tt < width) sum += w[((o * inputs + i) * 3 + ky) * 3 + kx] * x[i, yy, tt];
                                }
                        conv[o, y, t] = Math.Max(0, (float)sum);
                    }
            height /= 2;
            width /= 2;
            x = new float[channels[l], height, width];
            for (var o = 0; o < channels[l]; o++)
                for (var y = 0; y < height; y++)
                    for (var t = 0; t < width; t++)
                        x[o, y, t] = Math.Max(Math.Max(conv[o, 2 * y, 2 * t], conv[o, 2 * y, 2 * t + 1]), Math.Max(conv[o, 2 * y + 1, 2 * t], conv[o, 2 * y + 1, 2 * t + 1]));
        }
        var last = channels[^1];
        var embedding = new float[2 * last];
        for (var o = 0; o < last; o++)
        {
            float sum = 0, max = float.MinValue;
            for (var y = 0; y < height; y++)
                for (var t = 0; t < width; t++)
                {
                    sum += x[o, y, t];
                    max = Math.Max(max, x[o, y, t]);
                }
            embedding[o] = sum / (height * width);
            embedding[last + o] = max;
        }
        var dense = tensors[^2];
        var bias = tensors[^1];
        return Enumerable.Range(0, classes).Select(c => bias[c] + Enumerable.Range(0, embedding.Length).Sum(k => dense[c * embedding.Length + k] * embedding[k])).ToArray();
    }
}
