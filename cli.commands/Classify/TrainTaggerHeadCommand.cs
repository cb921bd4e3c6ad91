using System.CommandLine;
using System.Diagnostics;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Training;
using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;

namespace AncOrleans.Cli.Classify;

/// <summary>
/// <c>anc train-tagger-head --us8k DIR --tagger yamnet.tflite [--folds 1,2,3] [--clips 10] [--cv] [--out head.bin]</c>:
/// fits <see cref="TaggerHead"/> — our categories (the in-house model's labels, in its order) from the tagger's
/// embeddings — on UrbanSound8K's training folds (each 0.96 s patch labelled through the taxonomy table) and the
/// synthetic generator (so every category stays known). <c>--cv</c>: leave-one-fold-out clip accuracy of the head
/// alone. Fold 10 is refused.
/// </summary>
public static class TrainTaggerHeadCommand
{
    public static Command Create()
    {
        var us8k = new Option<DirectoryInfo>("--us8k") { Description = "Prepared UrbanSound8K folder (fold1 …)", Required = true };
        var tagger = new Option<FileInfo>("--tagger") { Description = "YAMNet's .tflite (docs/classifier.md)", Required = true };
        var folds = new Option<string>("--folds") { Description = "Training folds", DefaultValueFactory = _ => "1,2,3" };
        var clips = new Option<int>("--clips") { Description = "Synthetic 3 s clips per category", DefaultValueFactory = _ => 10 };
        var cv = new Option<bool>("--cv") { Description = "Leave-one-fold-out accuracy of the head alone" };
        var beta = new Option<double>("--beta") { Description = "The head's share of the blend with the in-house model", DefaultValueFactory = _ => 0.5 };
        var output = new Option<FileInfo?>("--out") { Description = "Where to write the head" };
        var command = new Command("train-tagger-head", "Train the categories-from-tagger-embeddings head blended with the in-house classifier.")
            { us8k, tagger, folds, clips, cv, beta, output };
        command.SetAction(parse =>
        {
            var foldList = parse.GetValue(folds)!.Split(',').Select(int.Parse).ToList();
            if (foldList.Contains(UrbanSound8K.HeldOutFold))
            {
                Console.Error.WriteLine($"anc train-tagger-head: fold {UrbanSound8K.HeldOutFold} is the held-out test: never train or tune on it.");
                return 2;
            }
            var watch = Stopwatch.StartNew();
            var net = YamNet.Load(parse.GetValue(tagger)!.FullName);
            var labels = NoiseClassifierModel.Load(NoiseClassifierModel.DefaultPath).Labels.ToArray();
            var clipList = UrbanSound8K.Scan(parse.GetValue(us8k)!.FullName, foldList);
            var recorded = new List<float[]>[clipList.Count];
            Parallel.For(0, clipList.Count, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
            {
                var wav = WavFile.Read(clipList[i].Path);
                recorded[i] = Embeddings(net, NoiseTrainingSet.AtLeastOneWindow(wav.Mono(), wav.SampleRate), wav.SampleRate);
            });
            var synthetic = new List<(float[] E, int Label)>();
            foreach (var (label, index) in labels.Select((l, i) => (l, i)))
                for (var clip = 0; clip < parse.GetValue(clips); clip++)
                {
                    var (_, sound) = NoiseTrainingSet.SyntheticClip(label, clip, YamNet.SampleRate, 3, new NoiseGenerator(7_000_000 + 1000 * index + clip));
                    synthetic.AddRange(Embeddings(net, sound, YamNet.SampleRate).Select(e => (e, index)));
                }
            Console.Error.WriteLine($"{clipList.Count} clips ({recorded.Sum(r => r.Count)} patches) + {synthetic.Count} synthetic patches ({watch.Elapsed.TotalSeconds:0} s)");
            int LabelOf(UrbanSound8K.Clip c) => Array.IndexOf(labels, UrbanSound8K.ToCategory[c.Class]);
            TaggerHead Fit(Func<int, bool> use)
            {
                var rows = new List<float[]>();
                var classes = new List<int>();
                for (var i = 0; i < clipList.Count; i++)
                    if (use(i)) foreach (var e in recorded[i]) { rows.Add(e); classes.Add(LabelOf(clipList[i])); }
                foreach (var (e, label) in synthetic) { rows.Add(e); classes.Add(label); }
                return TaggerHead.Train(labels, rows, classes, parse.GetValue(beta), progress: (epoch, loss) => Console.Error.WriteLine($"  epoch {epoch}: loss {loss:0.000}"));
            }
            if (parse.GetValue(cv))
            {
                int right = 0, total = 0;
                foreach (var fold in foldList)
                {
                    var head = Fit(i => clipList[i].Fold != fold);
                    for (var i = 0; i < clipList.Count; i++)
                    {
                        if (clipList[i].Fold != fold) continue;
                        var mean = head.PredictMean(recorded[i]);
                        total++;
                        if (UrbanSound8K.ClassOf(labels[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(mean)]) == clipList[i].Class) right++;
                    }
                    Console.Error.WriteLine($"fold {fold} held out: running clip accuracy {100.0 * right / total:0.0} % ({watch.Elapsed.TotalSeconds:0} s)");
                }
                Console.WriteLine($"leave-one-fold-out on folds {string.Join(",", foldList)}: the head alone, clip accuracy {100.0 * right / total:0.0} % ({right}/{total})");
            }
            if (parse.GetValue(output) is { } file)
            {
                Fit(_ => true).Save(file.FullName);
                Console.Error.WriteLine($"head written to {file.FullName} ({file.Length / 1024.0:0} KiB, {watch.Elapsed.TotalSeconds:0} s)");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Every patch's embedding of a clip (resampled to 16 kHz).</summary>
    public static List<float[]> Embeddings(YamNet net, float[] clip, int rate)
    {
        var list = new List<float[]>();
        YamNetStream.TagClip(net, clip, rate, (stream, _, _) => list.Add(stream.Embedding.ToArray()));
        return list;
    }
}
