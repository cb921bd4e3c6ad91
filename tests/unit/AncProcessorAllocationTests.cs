using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Tests;

/// <summary>The canceller runs per frame on the session's hot path: once running it allocates nothing.</summary>
public sealed class AncProcessorAllocationTests
{
    [Theory]
    [InlineData(AdaptiveAlgorithm.Hybrid, CancellerMode.AntiNoise)]
    [InlineData(AdaptiveAlgorithm.Nlms, CancellerMode.AntiNoise)]
    [InlineData(AdaptiveAlgorithm.Rls, CancellerMode.AntiNoise)]
    [InlineData(AdaptiveAlgorithm.Hybrid, CancellerMode.Clean)]
    public void The_canceller_allocates_nothing_per_frame_once_running(AdaptiveAlgorithm algorithm, CancellerMode mode)
    {
        const int rate = 48_000, frame = 480;
        var scene = Scenarios.Create("hum", rate, 3, 20);
        var processor = new AncProcessor(new AncSettings
        {
            SampleRate = rate, Algorithm = algorithm, Mode = mode, DelaySamples = mode == CancellerMode.AntiNoise ? 960 : 0,
            SecondaryPath = mode == CancellerMode.AntiNoise ? scene.SecondaryPath : null,
        });
        var output = new float[frame];
        var zeros = new float[frame];
        var scratch = new float[frame];
        void Step(int start)
        {
            var k = start / frame;
            if (k % 40 == 0 && mode == CancellerMode.AntiNoise) processor.MarkNotPlayed(frame);
            if (k % 50 == 0) processor.SkipGap(2 * frame + 7, zeros, scratch);
            if (k % 60 == 0) processor.Passthrough(k % 120 == 0);
            if (mode == CancellerMode.AntiNoise) processor.ProcessAntiNoise(scene.Reference.AsSpan(start, frame), scene.Disturbance.AsSpan(start, frame), output);
            else processor.ProcessClean(scene.Reference.AsSpan(start, frame), scene.Disturbance.AsSpan(start, frame), output);
        }
        // Warm-up takes every path the measured part takes (gaps, unplayed frames, passthrough on and off), so a path's
        // first run (a type's static tables, a thread's scratch growing once) is not counted as per-frame allocation.
        for (var start = 0; start < 2 * rate; start += frame) Step(start);

        // Each pass: the scene's last second again (100 frames); see ThreadAllocations for why more than one.
        ThreadAllocations.AssertNone(() =>
        {
            for (var start = 2 * rate; start + frame <= scene.Length; start += frame) Step(start);
        });
    }
}
