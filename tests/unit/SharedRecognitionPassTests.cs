using AncOrleans.Abstractions;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Dsp.Classification;
using AncOrleans.Dsp.Emergency;
using AncOrleans.Grains.Classification;
using AncOrleans.Grains.Emergency;
using Microsoft.Extensions.Options;

namespace AncOrleans.Tests;

/// <summary>
/// One recognition pass per session (issue 13, item 3): the emergency grain's detector hands over each classifier
/// window, and what it hands over is exactly what the classifier grain used to compute for itself.
/// </summary>
public sealed class SharedRecognitionPassTests
{
    private const int Rate = 48_000;

    private static NoiseClassifierModel Model => NoiseClassifierModel.LoadShared(new ClassifierOptions().ResolvedModelPath);

    [Fact]
    public void The_fused_detectors_windows_are_the_features_and_probabilities_a_second_pass_would_compute()
    {
        var audio = NoiseLibrary.Render("hum", Rate, 3.5, new NoiseGenerator(7));
        var detector = new FusedEmergencyDetector(Rate, Model);
        var handed = new List<(float[] Features, float[]? Probabilities)>();
        detector.WindowFinished += (features, probabilities) => handed.Add((features, probabilities));
        for (var start = 0; start < audio.Length; start += 4_800) detector.Push(audio.AsSpan(start, Math.Min(4_800, audio.Length - start)));

        // What the classifier grain did before: its own NoiseFeatures on the same batches, and its own prediction.
        var features = new NoiseFeatures(Rate);
        var own = new List<(float[] Features, float[] Probabilities)>();
        var copy = audio.ToArray();
        for (var start = 0; start < copy.Length; start += 4_800)
            features.Push(copy.AsSpan(start, Math.Min(4_800, copy.Length - start)), w => own.Add((w, Model.Predict(w, features.Patch))));

        Assert.Equal(3, own.Count);
        Assert.Equal(own.Count, handed.Count);
        Assert.Equal(Model.Labels, detector.Labels);
        for (var w = 0; w < own.Count; w++)
        {
            Assert.Equal(own[w].Features, handed[w].Features);
            Assert.Equal(own[w].Probabilities, handed[w].Probabilities);
        }
        Assert.Equal("hum", detector.Labels[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(handed[^1].Probabilities!)]);
    }

    [Fact]
    public void Without_the_model_the_patterns_decide_alone_and_the_features_are_still_handed_over()
    {
        var siren = EmergencySounds.Create(EmergencyKind.Siren, Rate, 4, new NoiseGenerator(11));
        var patterns = new EmergencyDetector(Rate);
        var withFeatures = new PatternsWithFeaturesDetector(Rate);
        var alone = new List<(string, double)>();
        var beside = new List<(string, double)>();
        var windows = new List<(float[] Features, float[]? Probabilities)>();
        patterns.Detected += (kind, at) => alone.Add((kind, at));
        withFeatures.Detected += (kind, at) => beside.Add((kind, at));
        withFeatures.WindowFinished += (features, probabilities) => windows.Add((features, probabilities));
        for (var start = 0; start < siren.Length; start += 4_800)
        {
            patterns.Push(siren.AsSpan(start, 4_800));
            withFeatures.Push(siren.AsSpan(start, 4_800));
        }

        Assert.NotEmpty(alone);
        Assert.Equal(alone, beside);
        Assert.Equal(4, windows.Count);
        Assert.All(windows, w => Assert.Equal(NoiseFeatures.Length, w.Features.Length));
        Assert.All(windows, w => Assert.Null(w.Probabilities));
        Assert.Null(withFeatures.Labels);
    }

    [Fact]
    public void The_emergency_grain_gets_the_fused_detector_the_patterns_with_features_or_the_patterns_alone()
    {
        Assert.IsType<FusedEmergencyDetector>(EmergencyDetectors.Create(new ClassifierOptions(), Rate));
        Assert.IsType<PatternsWithFeaturesDetector>(EmergencyDetectors.Create(new ClassifierOptions { ModelPath = "/nonexistent/model.zip" }, Rate));
        var disabled = EmergencyDetectors.Create(new ClassifierOptions { Enabled = false }, Rate);
        Assert.IsType<EmergencyDetector>(disabled);
        Assert.IsNotAssignableFrom<IClassifierWindowSource>(disabled);
    }

    [Fact]
    public async Task The_embedded_backend_answers_a_forwarded_window_from_its_probabilities_and_predicts_only_without_them()
    {
        var backend = new EmbeddedClassifierBackend(Options.Create(new ClassifierOptions()));
        var window = NoiseFeatures.Extract(NoiseLibrary.Render("hum", 16_000, 2, new NoiseGenerator(5)), 16_000)[0];
        var labels = Model.Labels.ToArray();
        var probabilities = new float[labels.Length];
        probabilities[Array.IndexOf(labels, "fan")] = 1; // not what the model would say: proves it is not asked

        var forwarded = await backend.PredictAsync(new ClassifierWindow("s", 1, window, probabilities, labels), CancellationToken.None);
        Assert.Equal("fan", forwarded.MaxBy(p => p.Value).Key);
        Assert.Equal((0L, 1L), (backend.Predictions, backend.Forwarded));

        var predicted = await backend.PredictAsync(new ClassifierWindow("s", 1, window, null, null), CancellationToken.None);
        Assert.Equal("hum", predicted.MaxBy(p => p.Value).Key);
        Assert.Equal((1L, 1L), (backend.Predictions, backend.Forwarded));

        await Assert.ThrowsAsync<ArgumentException>(() => backend.PredictAsync(new ClassifierWindow("s", 1, window, probabilities, ["one"]), CancellationToken.None));
    }

    [Fact]
    public void Offset_windows_end_that_many_hops_later_and_a_siren_is_still_found()
    {
        // 61 hops of 16 ms make a window; offset by 30 hops, the first ends 30 × 16 ms later and the rest follow it.
        var audio = NoiseLibrary.Render("hum", Rate, 4.0, new NoiseGenerator(7));
        List<double> Ends(int offset)
        {
            var detector = new FusedEmergencyDetector(Rate, Model);
            detector.OffsetWindows(offset);
            var ends = new List<double>();
            var pushed = 0;
            detector.WindowFinished += (_, _) => ends.Add((double)pushed / Rate);
            for (var start = 0; start < audio.Length; start += 480)
            {
                pushed = Math.Min(start + 480, audio.Length);
                detector.Push(audio.AsSpan(start, pushed - start));
            }
            return ends;
        }
        var plain = Ends(0);
        var offset = Ends(30);
        Assert.Equal(4, plain.Count);
        Assert.Equal(3, offset.Count);
        for (var w = 0; w < offset.Count; w++) Assert.InRange(offset[w] - plain[w], 30 * 0.016 - 0.011, 30 * 0.016 + 0.011);

        // The patterns do not wait for the windows: a siren from the start is found with the windows a whole window late.
        var siren = EmergencySounds.Create(EmergencyKind.Siren, Rate, 4, new NoiseGenerator(3));
        var late = new FusedEmergencyDetector(Rate, Model);
        late.OffsetWindows(NoiseFeatures.FramesPerWindow - 1);
        var found = new List<(string Kind, double Seconds)>();
        late.Detected += (kind, seconds) => found.Add((kind, seconds));
        for (var start = 0; start < siren.Length; start += 480) late.Push(siren.AsSpan(start, Math.Min(480, siren.Length - start)));
        Assert.Contains(found, f => f.Kind == EmergencyKind.Siren && f.Seconds < 2.5);
    }
}
