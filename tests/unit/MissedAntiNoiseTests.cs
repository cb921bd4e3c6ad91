using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Acoustics.Evaluation;
using Xunit.Abstractions;

namespace AncOrleans.Tests;

/// <summary>
/// Replies that never reach the device's speaker (late, dropped). The device says so per frame
/// (<c>AntiNoiseMissed</c>); the canceller must then not believe its output was heard, or it over-corrects.
/// </summary>
public sealed class MissedAntiNoiseTests(ITestOutputHelper output)
{
    [Fact]
    public void Missed_anti_noise_reported_by_the_device_does_not_throw_the_canceller()
    {
        var told = Run(tellTheCanceller: true, out var missed);
        var untold = Run(tellTheCanceller: false, out _);
        output.WriteLine($"{missed} of 1200 replies not played; reduction where anti-noise was played: {told:0.0} dB when the device says so, {untold:0.0} dB when it does not");
        Assert.True(told >= 20, $"{told:0.0} dB");
        Assert.True(told > untold + 6, $"told {told:0.0} dB, untold {untold:0.0} dB");
    }

    [Fact]
    public void The_missed_flag_travels_in_bit_7_of_the_type_byte()
    {
        var frame = new AncOrleans.Abstractions.Protocol.WireFrame(AncOrleans.Abstractions.Protocol.WireFrame.Audio, AncOrleans.Abstractions.SampleFormat.Int16,
            2, 7, 70_000, 1, 48_000, new byte[4], AntiNoiseMissed: true);
        var bytes = frame.ToBytes();
        Assert.Equal(0x81, bytes[1]);
        Assert.True(AncOrleans.Abstractions.Protocol.WireFrame.TryParse(bytes, out var parsed, out var error), error);
        Assert.Equal(AncOrleans.Abstractions.Protocol.WireFrame.Audio, parsed.Type);
        Assert.True(parsed.AntiNoiseMissed);
        Assert.True(AncOrleans.Abstractions.Protocol.WireFrame.TryParseAudio(bytes, out var audio, out error, out _), error);
        Assert.True(audio!.AntiNoiseMissed);
        bytes[1] = 0x82; // only audio frames carry it
        Assert.False(AncOrleans.Abstractions.Protocol.WireFrame.TryParse(bytes, out _, out error));
        Assert.Contains("unknown frame type 130", error);
    }

    /// <summary>
    /// 12 s of hum, D = 20 ms, 10 ms frames; from 2 s, bursts of replies are lost (5 in a row, every 0.5 s).
    /// Returns the reduction over the last 25 % where anti-noise was played (elsewhere the ear hears the noise
    /// whatever the canceller does).
    /// </summary>
    private static double Run(bool tellTheCanceller, out int missedCount)
    {
        const int rate = 48_000, frame = 480, delay = 960;
        var scene = Scenarios.Create("hum", rate, 12, 20);
        var processor = new AncProcessor(new AncSettings { DelaySamples = delay, SecondaryPath = scene.SecondaryPath });
        var secondary = new FirFilter(scene.SecondaryPath);
        var speaker = new float[scene.Length + delay + frame];
        var ear = new float[scene.Length];
        var played = new bool[scene.Length / frame];
        var y = new float[frame];
        missedCount = 0;
        for (var k = 0; k < played.Length; k++)
        {
            var start = k * frame;
            for (var n = start; n < start + frame; n++) ear[n] = scene.Disturbance[n] + secondary.Process(speaker[n]);
            var due = k - delay / frame; // the reply whose anti-noise plays during this frame
            if (tellTheCanceller && due >= 0 && !played[due]) processor.MarkNotPlayed(frame);
            processor.ProcessAntiNoise(scene.Reference.AsSpan(start, frame), ear.AsSpan(start, frame), y);
            played[k] = !(start >= 2 * rate && k % 50 < 5);
            if (played[k]) y.CopyTo(speaker, start + delay);
            else missedCount++;
        }
        double noise = 0, residual = 0;
        for (var k = (int)(played.Length * ReductionMeter.SteadyFraction); k < played.Length; k++)
        {
            var due = k - delay / frame;
            if (due < 0 || !played[due]) continue;
            for (var n = k * frame; n < (k + 1) * frame; n++)
            {
                noise += scene.Disturbance[n] * scene.Disturbance[n];
                residual += ear[n] * ear[n];
            }
        }
        return AncProcessor.Decibels(noise, residual);
    }
}
