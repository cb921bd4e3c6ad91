namespace AncOrleans.Dsp.Classification;

/// <summary>
/// One session's <see cref="YamNet"/> tagging, streaming: 16 kHz samples in, a log-mel frame every 10 ms into a ring
/// of the last 96, and every <see cref="PatchHop"/> frames (48: 0.48 s, YAMNet's own patch hop) the scores of the last
/// 0.96 s. <see cref="ShouldScore"/> lets the owner skip the network for a patch (its cost is the tagger's: ≈ 4 ms a
/// patch here, docs/classifier.md); skipped patches cost only their front end (≈ 0.3 ms per audio second).
/// State: the ring (96 × 64 floats), the scores (521) and embedding (1,024), the framer — 31 KB; the network's work arrays are per thread.
/// Guards: steady state allocates nothing; a patch is scored only once 96 frames exist (the first at 0.975 s).
/// </summary>
public sealed class YamNetStream
{
    public const int PatchHop = YamNet.PatchFrames / 2;

    [ThreadStatic] private static float[]? _patch;

    private readonly YamNet _net;
    private readonly Framer _framer = new(YamNet.FrameLength, YamNet.Hop);
    private readonly float[] _ring = SessionArray.Of<float>(YamNet.PatchFrames * YamNet.Bands);
    private readonly float[] _scores, _embedding;
    private readonly Action _onFrame;
    private long _frames;

    public YamNetStream(YamNet net)
    {
        _net = net;
        _scores = SessionArray.Of<float>(net.Classes);
        _embedding = SessionArray.Of<float>(net.Channels);
        _onFrame = OnFrame;
    }

    /// <summary>Asked before a patch is scored; false skips it. Null: every patch.</summary>
    public Func<bool>? ShouldScore { get; set; }

    /// <summary>Raised with a patch's scores (valid inside the call) and the stream time (s, 16 kHz) of its end.</summary>
    public event Action<float[], double>? PatchScored;

    /// <summary>The last scored patch's embedding (<see cref="YamNet.Channels"/> values), valid inside <see cref="PatchScored"/>.</summary>
    public ReadOnlySpan<float> Embedding => _embedding;

    /// <summary>Patches scored and skipped so far.</summary>
    public long Scored { get; private set; }

    public long Skipped { get; private set; }

    public void Push(ReadOnlySpan<float> samples16k) => _framer.Push(samples16k, _onFrame);

    /// <summary>
    /// Tags a whole clip at any rate, resampled to 16 kHz as a session's front end does (<see cref="Resampler16k"/>):
    /// <paramref name="onPatch"/> gets the stream (for its <see cref="Embedding"/>), each patch's scores and its end (s).
    /// </summary>
    public static void TagClip(YamNet net, ReadOnlySpan<float> clip, int rate, Action<YamNetStream, float[], double> onPatch)
    {
        var resampler = new Resampler16k(rate);
        var samples = new float[resampler.MaxOutput(clip.Length)];
        var n = resampler.Process(clip, samples);
        var stream = new YamNetStream(net);
        stream.PatchScored += (scores, end) => onPatch(stream, scores, end);
        stream.Push(samples.AsSpan(0, n));
    }

    private void OnFrame()
    {
        var slot = (int)(_frames % YamNet.PatchFrames);
        _net.LogMel(_framer.Frame, _ring.AsSpan(slot * YamNet.Bands, YamNet.Bands));
        _frames++;
        if (_frames < YamNet.PatchFrames || (_frames - YamNet.PatchFrames) % PatchHop != 0) return;
        if (ShouldScore is { } gate && !gate())
        {
            Skipped++;
            return;
        }
        var patch = _patch ??= new float[YamNet.PatchFrames * YamNet.Bands];
        var oldest = (int)(_frames % YamNet.PatchFrames); // the ring's oldest frame is the patch's first
        var head = (YamNet.PatchFrames - oldest) * YamNet.Bands;
        _ring.AsSpan(oldest * YamNet.Bands).CopyTo(patch);
        _ring.AsSpan(0, oldest * YamNet.Bands).CopyTo(patch.AsSpan(head));
        _net.Scores(patch, _scores, _embedding);
        Scored++;
        PatchScored?.Invoke(_scores, (_framer.Start + YamNet.FrameLength) / (double)YamNet.SampleRate);
    }
}
