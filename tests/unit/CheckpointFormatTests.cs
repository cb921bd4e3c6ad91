using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Tests;

/// <summary>
/// The <see cref="AncProcessor"/> checkpoint is a format, not a memory dump: sessions restore checkpoints that older
/// silos wrote. These pin its length for the shapes sessions run, where its sections lie, that save → load → save
/// loses nothing the format keeps, and that a restored processor is a function of the checkpoint alone.
/// </summary>
public sealed class CheckpointFormatTests
{
    private const int Rate = 48_000, Delay = 960, Frame = 480;

    [Theory]
    [InlineData(AdaptiveAlgorithm.Hybrid, CancellerMode.AntiNoise, 960, 6975)]
    [InlineData(AdaptiveAlgorithm.Nlms, CancellerMode.AntiNoise, 960, 6684)]
    [InlineData(AdaptiveAlgorithm.Rls, CancellerMode.AntiNoise, 960, 5814)]
    [InlineData(AdaptiveAlgorithm.Hybrid, CancellerMode.Clean, 0, 3135)]
    [InlineData(AdaptiveAlgorithm.Nlms, CancellerMode.Clean, 0, 2844)]
    [InlineData(AdaptiveAlgorithm.Rls, CancellerMode.Clean, 0, 1974)]
    public void Each_shape_has_a_fixed_checkpoint_length(AdaptiveAlgorithm algorithm, CancellerMode mode, int delay, int length)
    {
        var processor = new AncProcessor(new AncSettings { Algorithm = algorithm, Mode = mode, DelaySamples = delay });
        Assert.Equal(length, processor.StateLength);
        Assert.Equal(length, processor.SaveState().Length);
    }

    [Fact]
    public void The_sections_lie_in_their_places()
    {
        var (settings, processor, reference, speaker, samples) = Run(AdaptiveAlgorithm.Hybrid);
        var state = processor.SaveState();
        var sHat = settings.SecondaryPath!;
        var window = settings.FilterLength + 2 * settings.BlockSize; // L + 2B (L a multiple of B here)
        var offset = Sections(settings).Long + Sections(settings).Tonal + 2 * NoHarmGuard.StateLength; // branches, then their guards
        // the regressor window u (Ŝ*x delayed by D), then the output-input window v = x, oldest first
        Assert.Equal(reference.AsSpan(samples - window, window).ToArray(), state.AsSpan(offset + window, window).ToArray());
        offset += 2 * window + Delay + 1; // … and the regressor delay line, D + 1
        // the input history of Ŝ*x (the newest |Ŝ| reference samples), then those of Ŝ*y, Ŝ*y_H, Ŝ*y_N
        Assert.Equal(reference.AsSpan(samples - sHat.Length, sHat.Length).ToArray(), state.AsSpan(offset, sHat.Length).ToArray());
        offset += 4 * sHat.Length;
        // the played ring from the next sample the ear hears: y(N) … y(N+D−1), then y(N−1); then y_H's and y_N's rings
        Assert.Equal(speaker.AsSpan(samples, Delay).ToArray(), state.AsSpan(offset, Delay).ToArray());
        Assert.Equal(speaker[samples - 1], state[offset + Delay]);
        offset += 3 * (Delay + 1);
        Assert.Equal(samples % settings.BlockSize, state[offset]); // samples of the current block seen
        Assert.Equal(state.Length, offset + 1 + settings.BlockSize); // then that block's errors, B
    }

    [Theory]
    [InlineData(AdaptiveAlgorithm.Hybrid)]
    [InlineData(AdaptiveAlgorithm.Nlms)]
    [InlineData(AdaptiveAlgorithm.Rls)]
    public void A_restored_checkpoint_saves_unchanged_and_two_restorations_play_alike(AdaptiveAlgorithm algorithm)
    {
        var (settings, processor, reference, _, samples) = Run(algorithm);
        var state = processor.SaveState();
        var first = new AncProcessor(settings);
        first.LoadState(state);
        var again = first.SaveState();
        // Bit for bit, but for the harmonic tracker's values at the end of the tonal section: its load rebuilds the
        // period ring from the stored frequency and re-synchronises (HarmonicTracker.LoadState).
        var trackerEnd = Sections(settings).Long + Sections(settings).Tonal;
        var trackerStart = settings.UsesHarmonicModel ? trackerEnd - HarmonicTracker.StateLength : trackerEnd;
        Assert.Equal(state.Length, again.Length);
        Assert.Equal(state[..trackerStart], again[..trackerStart]);
        Assert.Equal(state[trackerEnd..], again[trackerEnd..]);
        var second = new AncProcessor(settings);
        second.LoadState(state);

        // Through the pause after a restore and on into adaptation: the same input, the same output, sample for sample.
        var error = new float[Frame];
        var a = new float[Frame];
        var b = new float[Frame];
        for (var start = samples; start + Frame <= reference.Length; start += Frame)
        {
            for (var i = 0; i < Frame; i++) error[i] = 0.5f * reference[start + i];
            first.ProcessAntiNoise(reference.AsSpan(start, Frame), error, a);
            second.ProcessAntiNoise(reference.AsSpan(start, Frame), error, b);
            Assert.Equal(a, b);
        }
        Assert.True(first.OutputGain > 0);
        Assert.Equal(first.SaveState(), second.SaveState());
    }

    /// <summary>The lengths of the long branch's and the tonal branch's sections (0 for a branch that does not run).</summary>
    private static (int Long, int Tonal) Sections(AncSettings settings) => (
        settings.UsesLongFilter ? new BlockNlms(settings.FilterLength, settings.BlockSize, settings.EffectiveNlmsStep, settings.NlmsRegularisation).StateLength : 0,
        settings.UsesHarmonicModel ? new HarmonicCanceller(settings.SampleRate, settings.Harmonics, settings.RlsForgetting, settings.RlsUpdateEvery, settings.SecondaryPath, settings.DelaySamples).StateLength : 0);

    /// <summary>About a second of the hum scene with the loop closed through S, ending part-way into a block of B.</summary>
    private static (AncSettings Settings, AncProcessor Processor, float[] Reference, float[] Speaker, int Samples) Run(AdaptiveAlgorithm algorithm)
    {
        var scene = Scenarios.Create("hum", Rate, 2, Delay * 1000.0 / Rate);
        var settings = new AncSettings { SampleRate = Rate, DelaySamples = Delay, Algorithm = algorithm, SecondaryPath = scene.SecondaryPath };
        var processor = new AncProcessor(settings);
        var samples = 100 * Frame + 300; // 48 300 = 377 B + 44
        var speaker = new float[samples + Delay];
        var error = new float[samples];
        var path = new FirFilter(scene.SecondaryPath);
        for (var start = 0; start < samples; start += Frame)
        {
            var count = Math.Min(Frame, samples - start);
            for (var i = start; i < start + count; i++) error[i] = scene.Disturbance[i] + path.Process(speaker[i]);
            processor.ProcessAntiNoise(scene.Reference.AsSpan(start, count), error.AsSpan(start, count), speaker.AsSpan(start + Delay, count));
        }
        return (settings, processor, scene.Reference, speaker, samples);
    }
}
