using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// The secondary-path estimate Ŝ is wrong: the true S has its sign flipped, or 20–67 samples more delay than Ŝ
/// (a speaker swapped, wired backwards, a buffer the device did not report). Modified FxLMS then adapts on a
/// d̂ = e − Ŝ*y that is not the noise, and without a guard the output diverges to NaN. Our rules: the output
/// stays finite, and the ear is never louder than without ANC — here by at most 0.5 dB over any 1 s window
/// after the first second (the windows step by 100 ms).
/// </summary>
public sealed class WrongSecondaryPathTests(ITestOutputHelper output)
{
    private const int Rate = 48_000, Delay = 960, Frame = 480;

    /// <summary>Largest excess of the ear's power over the noise's, in dB, allowed over any 1 s window after the first second.</summary>
    private const double MarginDb = 0.5;

    public static TheoryData<string, string, AdaptiveAlgorithm, double> Cases()
    {
        var data = new TheoryData<string, string, AdaptiveAlgorithm, double>();
        foreach (var scenario in new[] { "hum", "broadband" })
            foreach (var path in new[] { "flip", "+20", "+40", "+67" })
                data.Add(scenario, path, AdaptiveAlgorithm.Hybrid, scenario == "hum" ? 20 : 10);
        data.Add("hum", "flip", AdaptiveAlgorithm.Rls, 15);
        data.Add("hum", "+40", AdaptiveAlgorithm.Nlms, 15);
        data.Add("engine-runup", "+67", AdaptiveAlgorithm.Hybrid, 15);
        data.Add("broadband-lead", "flip", AdaptiveAlgorithm.Hybrid, 10);
        return data;
    }

    /// <summary>The other side of the trade: with Ŝ right the detector stays quiet and the canceller cancels.</summary>
    [Theory]
    [InlineData("hum", 40)]
    [InlineData("engine-runup", 14)]
    [InlineData("fan", 10)]
    [InlineData("broadband-lead", 30)]
    [InlineData("broadband", -0.1)]
    public void A_right_secondary_path_raises_no_alarm(string scenario, double atLeastDb)
    {
        var scene = Scenarios.Create(scenario, Rate, 10, Delay * 1000.0 / Rate);
        var (processor, ear, _) = Run(scene, scene.SecondaryPath, AdaptiveAlgorithm.Hybrid);
        var tail = scene.Length / 4;
        var reduction = AncProcessor.Decibels(Energy(scene.Disturbance, scene.Length - tail, tail), Energy(ear, scene.Length - tail, tail));
        output.WriteLine($"{scenario}: {reduction:0.00} dB over the last 25 %, {processor.Divergences} alarms, {processor.Resets} resets");
        Assert.Equal(0, processor.Divergences);
        Assert.True(reduction >= atLeastDb, $"{reduction:0.00} dB");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_wrong_secondary_path_never_makes_the_noise_louder(string scenario, string path, AdaptiveAlgorithm algorithm, double seconds)
    {
        var scene = Scenarios.Create(scenario, Rate, seconds, Delay * 1000.0 / Rate);
        var (processor, ear, nonFinite) = Run(scene, TruePath(scene.SecondaryPath, path), algorithm);

        var worst = double.NegativeInfinity;
        var worstAt = 0.0;
        for (var from = Rate; from + Rate <= scene.Length; from += Rate / 10)
        {
            var excess = -AncProcessor.Decibels(Energy(scene.Disturbance, from, Rate), Energy(ear, from, Rate));
            if (double.IsNaN(excess)) excess = double.PositiveInfinity;
            if (excess > worst) (worst, worstAt) = (excess, (double)from / Rate);
        }
        var overall = AncProcessor.Decibels(Energy(scene.Disturbance, Rate, scene.Length - Rate), Energy(ear, Rate, scene.Length - Rate));
        output.WriteLine($"{scenario} {algorithm}, S = Ŝ {path}: {nonFinite} output samples non-finite or beyond full scale; worst 1 s window {worst:+0.00;-0.00} dB louder than no ANC (at {worstAt:0.0} s); "
            + $"reduction after 1 s {overall:0.00} dB; {processor.Divergences} mutes");
        Assert.Equal(0, nonFinite); // finite, and within the full scale the device can play
        Assert.True(worst <= MarginDb, $"the ear was {worst:0.00} dB louder than without ANC over the 1 s from {worstAt:0.0} s");
    }

    /// <summary>
    /// The loop closed sample-exactly as in anc eval: the ear hears d + S*y with the true S, the canceller is told Ŝ =
    /// the scene's path; 10 ms frames, D = 20 ms. Returns the ear and the count of non-finite samples sent.
    /// </summary>
    private static (AncProcessor Processor, float[] Ear, int NonFinite) Run(AcousticScene scene, float[] trueS, AdaptiveAlgorithm algorithm)
    {
        var processor = new AncProcessor(new AncSettings { DelaySamples = Delay, Algorithm = algorithm, SecondaryPath = scene.SecondaryPath });
        var secondary = new FirFilter(trueS);
        var speaker = new float[scene.Length + Delay];
        var ear = new float[scene.Length];
        var nonFinite = 0;
        for (var start = 0; start + Frame <= scene.Length; start += Frame)
        {
            for (var n = start; n < start + Frame; n++) ear[n] = scene.Disturbance[n] + secondary.Process(speaker[n]);
            var y = speaker.AsSpan(start + Delay, Frame);
            processor.ProcessAntiNoise(scene.Reference.AsSpan(start, Frame), ear.AsSpan(start, Frame), y);
            foreach (var v in y) if (!float.IsFinite(v) || Math.Abs(v) > AncProcessor.FullScale) nonFinite++;
        }
        return (processor, ear, nonFinite);
    }

    /// <summary>The true S: Ŝ negated, or Ŝ with <c>+k</c> more samples of delay.</summary>
    internal static float[] TruePath(float[] sHat, string path)
    {
        if (path == "flip") return Array.ConvertAll(sHat, v => -v);
        var extra = int.Parse(path[1..], System.Globalization.CultureInfo.InvariantCulture);
        var delayed = new float[sHat.Length + extra];
        sHat.CopyTo(delayed, extra);
        return delayed;
    }

    internal static double Energy(float[] signal, int from, int count)
    {
        double sum = 0;
        for (var n = from; n < from + count; n++) sum += (double)signal[n] * signal[n];
        return sum;
    }
}
