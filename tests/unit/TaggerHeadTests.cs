using AncOrleans.Dsp.Classification;

namespace AncOrleans.Tests;

/// <summary>The softmax head on a tagger's embeddings (<see cref="TaggerHead"/>): it learns, saves, blends and stays finite.</summary>
public sealed class TaggerHeadTests
{
    [Fact]
    public void It_learns_separable_classes_round_trips_through_its_file_and_blends_by_beta()
    {
        var r = new Random(4);
        string[] labels = ["siren", "music", "hvac"];
        var rows = new List<float[]>();
        var classes = new List<int>();
        for (var i = 0; i < 300; i++)
        {
            var c = i % 3;
            rows.Add(Enumerable.Range(0, 8).Select(j => (float)((j == c ? 3 : 0) + r.NextDouble())).ToArray());
            classes.Add(c);
        }
        var head = TaggerHead.Train(labels, rows, classes, beta: 0.25, epochs: 100);
        var p = new float[3];
        var scratch = new float[8];
        for (var c = 0; c < 3; c++)
        {
            head.Predict(Enumerable.Range(0, 8).Select(j => j == c ? 3.5f : 0.5f).ToArray(), p, scratch);
            Assert.Equal(c, Array.IndexOf(p, p.Max()));
            Assert.Equal(1, p.Sum(), 4);
        }
        var path = Path.Combine(Path.GetTempPath(), $"head-{Guid.NewGuid():N}.bin");
        try
        {
            head.Save(path);
            var loaded = TaggerHead.Load(path);
            Assert.Equal(labels, loaded.Labels);
            Assert.Equal(0.25, loaded.Beta);
            var q = new float[3];
            loaded.Predict(rows[0], q, scratch);
            head.Predict(rows[0], p, scratch);
            Assert.Equal(p, q);
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);
            Assert.Throws<InvalidDataException>(() => TaggerHead.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
        var model = new float[] { 1, 0, 0 };
        head.Blend(model, [0, 1, 0]);
        Assert.Equal([0.75f, 0.25f, 0], model);
        head.Predict(Enumerable.Repeat(float.NaN, 8).ToArray(), p, scratch); // a broken embedding: no opinion
        Assert.All(p, x => Assert.Equal(1f / 3, x, 5));
        // a clip's label reads the mean over its patches; a clip with no patch has no opinion (zeros)
        var mean = head.PredictMean([rows[0], rows[1]]);
        var first = new float[3];
        head.Predict(rows[0], first, scratch);
        head.Predict(rows[1], p, scratch);
        for (var c = 0; c < 3; c++) Assert.Equal((first[c] + p[c]) / 2, mean[c], 6);
        Assert.Equal([0f, 0f, 0f], head.PredictMean([]));
    }
}
