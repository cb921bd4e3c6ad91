using AncOrleans.Dsp.Classification;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AncOrleans.Acoustics.Torch;

/// <summary>
/// The network <see cref="LogMelCnn"/> runs, in TorchSharp for training: three conv₃ₓ₃ → batch norm → relu → 2 × 2 max
/// pool blocks, mean and max over the last maps, dropout, one dense layer. Export folds each batch norm into its
/// convolution (w' = w γ/√(σ² + ε), b' = (b − μ) γ/√(σ² + ε) + β).
/// </summary>
internal sealed class CnnNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d[] _convs;
    private readonly BatchNorm2d[] _norms;
    private readonly Linear _dense;
    private readonly Dropout _dropout;

    public CnnNet(int[] channels, int classes, double dropout) : base("cnn")
    {
        Channels = channels;
        _convs = channels.Select((c, l) => nn.Conv2d(l == 0 ? 1 : channels[l - 1], c, 3, padding: 1)).ToArray();
        _norms = channels.Select(c => nn.BatchNorm2d(c)).ToArray();
        _dense = nn.Linear(2 * channels[^1], classes);
        _dropout = nn.Dropout(dropout);
        for (var l = 0; l < channels.Length; l++)
        {
            register_module($"conv{l}", _convs[l]);
            register_module($"norm{l}", _norms[l]);
        }
        register_module("dense", _dense);
        register_module("dropout", _dropout);
    }

    public int[] Channels { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        for (var l = 0; l < _convs.Length; l++)
            x = nn.functional.max_pool2d(nn.functional.relu(_norms[l].forward(_convs[l].forward(x))), 2);
        var embedding = cat([x.mean([2L, 3L]), x.amax([2L, 3L])], 1);
        return _dense.forward(_dropout.forward(embedding)).MoveToOuterDisposeScope();
    }

    /// <summary>The weights in <see cref="LogMelCnn"/>'s order, batch norm folded in.</summary>
    public List<float[]> Export()
    {
        var tensors = new List<float[]>();
        for (var l = 0; l < _convs.Length; l++)
        {
            var w = _convs[l].weight!.detach().cpu().data<float>().ToArray();
            var b = _convs[l].bias!.detach().cpu().data<float>().ToArray();
            var gamma = _norms[l].weight!.detach().cpu().data<float>().ToArray();
            var beta = _norms[l].bias!.detach().cpu().data<float>().ToArray();
            var mean = _norms[l].running_mean!.detach().cpu().data<float>().ToArray();
            var variance = _norms[l].running_var!.detach().cpu().data<float>().ToArray();
            var perOutput = w.Length / b.Length;
            for (var o = 0; o < b.Length; o++)
            {
                var k = gamma[o] / MathF.Sqrt(variance[o] + 1e-5f);
                for (var i = 0; i < perOutput; i++) w[o * perOutput + i] *= k;
                b[o] = (b[o] - mean[o]) * k + beta[o];
            }
            tensors.Add(w);
            tensors.Add(b);
        }
        tensors.Add(_dense.weight!.detach().cpu().data<float>().ToArray());
        tensors.Add(_dense.bias!.detach().cpu().data<float>().ToArray());
        return tensors;
    }
}

/// <summary>Training and prediction on <see cref="Sequence"/>s: random 122-frame crops, SpecAugment masks, AdamW, one-cycle rate.</summary>
internal static class CnnTrainer
{
    public const float Scale = 20;
    private const int Half = NoiseFeatures.FramesPerWindow * NoiseFeatures.Bands;
    private const int Input = LogMelCnn.Bands * LogMelCnn.Width;

    /// <param name="Shift">Band shift augmentation: each training patch moves up or down by 0…Shift mel bands (a pitch shift of
    /// the whole sound; the edge band repeats). 0: none.</param>
    /// <param name="Mixup">Mixup (Zhang et al., ICLR 2018) on the log-mel patches: with this probability a batch is mixed with
    /// itself reversed, λ ~ U(0, 1) (Beta(1, 1)), and the loss is λ CE(y) + (1 − λ) CE(y reversed). 0: none.</param>
    public sealed record Settings(int[] Channels, int Epochs, int Batch, double LearningRate, double WeightDecay, double Dropout, int Seed, int Shift = 0, double Mixup = 0);

    public static CnnNet Train(IReadOnlyList<Sequence> train, int classes, Settings settings, Action<string> log)
    {
        manual_seed(settings.Seed);
        var net = new CnnNet(settings.Channels, classes, settings.Dropout);
        var optimizer = optim.AdamW(net.parameters(), settings.LearningRate, weight_decay: settings.WeightDecay);
        var steps = settings.Epochs * ((train.Count + settings.Batch - 1) / settings.Batch);
        var schedule = optim.lr_scheduler.OneCycleLR(optimizer, settings.LearningRate, steps);
        var random = new Random(settings.Seed);
        var patch = new float[2 * Half];
        var x = new float[settings.Batch * Input];
        var y = new long[settings.Batch];
        var order = Enumerable.Range(0, train.Count).ToArray();
        var shifted = new float[Input];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var epoch = 0; epoch < settings.Epochs; epoch++)
        {
            net.train();
            random.Shuffle(order);
            double lossSum = 0;
            var batches = 0;
            for (var start = 0; start < order.Length; start += settings.Batch)
            {
                var count = Math.Min(settings.Batch, order.Length - start);
                for (var b = 0; b < count; b++)
                {
                    var sequence = train[order[start + b]];
                    Crop(sequence, random, patch);
                    var input = x.AsSpan(b * Input, Input);
                    LogMelCnn.Prepare(patch, input, Scale);
                    if (settings.Shift > 0) ShiftBands(input, random.Next(-settings.Shift, settings.Shift + 1), shifted);
                    Mask(input, random);
                    y[b] = sequence.Label;
                }
                using var scope = NewDisposeScope();
                var xs = tensor(x.AsSpan(0, count * Input).ToArray(), [count, 1, LogMelCnn.Bands, LogMelCnn.Width]);
                var ys = tensor(y.AsSpan(0, count).ToArray(), [count]);
                optimizer.zero_grad();
                Tensor loss;
                if (count > 1 && random.NextDouble() < settings.Mixup)
                {
                    var lambda = random.NextDouble();
                    var reversed = arange(count - 1, -1, -1, ScalarType.Int64);
                    var mixed = xs * lambda + xs.index_select(0, reversed) * (1 - lambda);
                    var logits = net.forward(mixed);
                    loss = nn.functional.cross_entropy(logits, ys, label_smoothing: 0.05) * lambda
                         + nn.functional.cross_entropy(logits, ys.index_select(0, reversed), label_smoothing: 0.05) * (1 - lambda);
                }
                else
                {
                    loss = nn.functional.cross_entropy(net.forward(xs), ys, label_smoothing: 0.05);
                }
                loss.backward();
                optimizer.step();
                schedule.step();
                lossSum += loss.item<float>();
                batches++;
            }
            log($"  epoch {epoch + 1}/{settings.Epochs}: loss {lossSum / batches:0.000} ({watch.Elapsed.TotalSeconds:0} s)");
        }
        net.eval();
        return net;
    }

    /// <summary>A random 122-frame stretch of the sequence as a stream would show it (the first window doubled in front).</summary>
    private static void Crop(Sequence sequence, Random random, float[] patch)
    {
        var windows = sequence.LogMel.Count;
        var frames = (windows + 1) * NoiseFeatures.FramesPerWindow;
        var start = random.Next(frames - NoiseFeatures.PatchFrames + 1);
        for (var f = 0; f < NoiseFeatures.PatchFrames; f++)
        {
            var frame = start + f;
            var w = Math.Max(0, frame / NoiseFeatures.FramesPerWindow - 1);
            var t = frame % NoiseFeatures.FramesPerWindow;
            sequence.LogMel[w].AsSpan(t * NoiseFeatures.Bands, NoiseFeatures.Bands).CopyTo(patch.AsSpan(f * NoiseFeatures.Bands));
        }
    }

    /// <summary>Moves the patch <paramref name="by"/> bands up (positive) or down; the edge band fills what is vacated.</summary>
    private static void ShiftBands(Span<float> x, int by, float[] scratch)
    {
        if (by == 0) return;
        x.CopyTo(scratch);
        for (var m = 0; m < LogMelCnn.Bands; m++)
        {
            var from = Math.Clamp(m - by, 0, LogMelCnn.Bands - 1);
            scratch.AsSpan(from * LogMelCnn.Width, LogMelCnn.Width).CopyTo(x.Slice(m * LogMelCnn.Width, LogMelCnn.Width));
        }
    }

    /// <summary>SpecAugment (Park et al., Interspeech 2019): one band mask of 0–6 bands and one time mask of 0–8 steps, set to the mean (0).</summary>
    private static void Mask(Span<float> x, Random random)
    {
        var bands = random.Next(7);
        var first = random.Next(LogMelCnn.Bands - bands + 1);
        for (var m = first; m < first + bands; m++) x.Slice(m * LogMelCnn.Width, LogMelCnn.Width).Clear();
        var steps = random.Next(9);
        var at = random.Next(LogMelCnn.Width - steps + 1);
        for (var m = 0; m < LogMelCnn.Bands; m++) x.Slice(m * LogMelCnn.Width + at, steps).Clear();
    }

    /// <summary>Softmax probabilities of every window of each sequence (the stream's patches), in batches.</summary>
    public static List<float[]>[] Predict(CnnNet net, IReadOnlyList<IReadOnlyList<float[]>> logMels)
    {
        net.eval();
        var inputs = new List<(int Sequence, float[] X)>();
        var patch = new float[2 * Half];
        for (var s = 0; s < logMels.Count; s++)
            for (var w = 0; w < logMels[s].Count; w++)
            {
                NoiseFeatures.BuildPatch(logMels[s], w, patch);
                var input = new float[Input];
                LogMelCnn.Prepare(patch, input, Scale);
                inputs.Add((s, input));
            }
        var result = logMels.Select(_ => new List<float[]>()).ToArray();
        using var noGrad = no_grad();
        for (var start = 0; start < inputs.Count; start += 256)
        {
            var count = Math.Min(256, inputs.Count - start);
            var x = new float[count * Input];
            for (var i = 0; i < count; i++) inputs[start + i].X.CopyTo(x, i * Input);
            using var scope = NewDisposeScope();
            var p = nn.functional.softmax(net.forward(tensor(x, [count, 1, LogMelCnn.Bands, LogMelCnn.Width])), 1).data<float>().ToArray();
            var classes = p.Length / count;
            for (var i = 0; i < count; i++) result[inputs[start + i].Sequence].Add(p.AsSpan(i * classes, classes).ToArray());
        }
        return result;
    }

    /// <summary>Logits of one raw patch (the export's check).</summary>
    public static float[] Logits(CnnNet net, ReadOnlySpan<float> patch)
    {
        net.eval();
        var input = new float[Input];
        LogMelCnn.Prepare(patch, input, Scale);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return net.forward(tensor(input, [1, 1, LogMelCnn.Bands, LogMelCnn.Width])).data<float>().ToArray();
    }
}
