using AncOrleans.Abstractions.Protocol;
using AncOrleans.Abstractions;
using AncOrleans.Dsp;
using AncOrleans.Acoustics.Scenes;

namespace AncOrleans.Tests;

/// <summary>
/// A simulated device driving a session grain frame by frame: it plays the anti-noise it gets back through the
/// true secondary path S(z) D samples later, so the loop is closed exactly as in <c>anc eval</c>.
/// </summary>
public sealed class ClosedLoopDevice(AcousticScene scene, int delaySamples, int frameSamples = 480)
{
    private readonly float[] _speaker = new float[scene.Length + delaySamples];
    private readonly FirFilter _secondary = new(scene.SecondaryPath);
    private long _sequence;

    public float[] Ear { get; } = new float[scene.Length];

    public int Position { get; private set; }

    public int SampleRate => scene.SampleRate;

    public int DelaySamples => delaySamples;

    public bool Finished => Position >= scene.Length;

    public SessionConfig Config(string algorithm = "hybrid") => new(
        SampleRate: scene.SampleRate, Mode: "antinoise", Algorithm: algorithm,
        DelayMs: delaySamples * 1000.0 / scene.SampleRate, FilterLength: 512,
        SecondaryPath: scene.SecondaryPath, FrameSamples: frameSamples);

    /// <summary>Streams the next <paramref name="seconds"/> of the scene through the grain.</summary>
    public async Task RunAsync(ISessionGrain grain, double seconds)
    {
        var end = Math.Min(scene.Length, Position + (int)(seconds * scene.SampleRate));
        while (Position < end) await StepAsync(async frame => await grain.ProcessAsync(frame), end - Position);
    }

    /// <summary>
    /// Sends the next frame (at most <paramref name="limit"/> samples) through <paramref name="send"/> and plays
    /// its reply; a null reply (the frame was lost) plays silence in its slot.
    /// </summary>
    public async Task StepAsync(Func<AudioFrame, Task<AntiNoiseFrame?>> send, int limit = int.MaxValue)
    {
        var count = Math.Min(Math.Min(frameSamples, limit), scene.Length - Position);
        for (var i = Position; i < Position + count; i++) Ear[i] = scene.Disturbance[i] + _secondary.Process(_speaker[i]);
        var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(Position, count), Ear.AsSpan(Position, count), SampleFormat.Float32);
        var reply = await send(new AudioFrame(_sequence++, Position * 1_000_000L / scene.SampleRate, scene.SampleRate, SampleFormat.Float32, count, pcm));
        if (reply is not null)
        {
            Assert.True(reply.Accepted, reply.Error);
            FrameCodec.DecodeMono(reply.Pcm.Span, reply.Format).CopyTo(_speaker.AsSpan(Position + delaySamples));
        }
        Position += count;
    }

    /// <summary>Reduction over [from, to) seconds of what has been streamed.</summary>
    public double ReductionDb(double fromSeconds, double toSeconds)
    {
        var from = (int)(fromSeconds * scene.SampleRate);
        var to = (int)(toSeconds * scene.SampleRate);
        return Acoustics.Evaluation.ReductionMeter.Db(scene.Disturbance.AsSpan(from, to - from), Ear.AsSpan(from, to - from));
    }
}
