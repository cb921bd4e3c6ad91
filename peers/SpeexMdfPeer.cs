// Peer baseline: SpeexDSP's MDF (multidelay block frequency-domain) echo canceller run as a clean-mode
// Widrow adaptive noise canceller behind ICleanCanceller (rec = primary d, play = reference x).

using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Peers;

/// <summary>
/// SpeexDSP <c>speex_echo_cancellation</c> as a noise canceller: each block of the primary d(n) is passed
/// as the microphone signal (<c>rec</c>), the reference x(n) as the loudspeaker signal (<c>play</c>), and
/// the echo-free output is the residual d − ŷ. Samples are converted to 16-bit PCM (×32767, rounded,
/// clipped) and back (÷32767) through buffers allocated once, so <see cref="Process"/> does not allocate.
/// <para>
/// Speex is used as shipped: its MDF adapts with its own step-size control and also high-passes the
/// microphone input with a DC notch (radius 0.992 at ≥ 24 kHz, ≈ 60 Hz corner at 48 kHz) before
/// cancelling, so the residual excludes content of d well below that corner.
/// </para>
/// </summary>
public sealed unsafe class SpeexMdfPeer : ICleanCanceller
{
    /// <summary>The name reports, <c>anc eval --peer</c> and the benchmarks use.</summary>
    public const string PeerName = "speexdsp-mdf";

    /// <summary>Why the peer is skipped where libspeexdsp cannot be loaded, and how to install it (one line).</summary>
    public const string MissingLibrary = "libspeexdsp not found (apt-get install libspeexdsp1)";

    private const float Scale = 32767f;
    private const float InverseScale = 1f / 32767f;

    private readonly SpeexEchoStateHandle _state;
    private readonly short[] _rec;
    private readonly short[] _play;
    private readonly short[] _out;

    /// <param name="sampleRate">Sample rate in Hz, passed with <c>SPEEX_ECHO_SET_SAMPLING_RATE</c>.</param>
    /// <param name="frameSize">Samples per frame (= <see cref="BlockSize"/>); Speex suggests 10–20 ms.</param>
    /// <param name="tailLength">Echo tail to model, in samples (<c>filter_length</c>).</param>
    /// <exception cref="DllNotFoundException">libspeexdsp is not installed; see <see cref="LoadError"/>.</exception>
    public SpeexMdfPeer(int sampleRate, int frameSize = 480, int tailLength = 512)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tailLength);

        _rec = new short[frameSize];
        _play = new short[frameSize];
        _out = new short[frameSize];
        _state = SpeexNative.EchoStateInit(frameSize, tailLength);

        var rate = sampleRate;
        if (SpeexNative.EchoCtl(_state, SpeexNative.SpeexEchoSetSamplingRate, &rate) != 0)
        {
            _state.Dispose();
            throw new InvalidOperationException($"speex_echo_ctl(SPEEX_ECHO_SET_SAMPLING_RATE, {sampleRate}) failed.");
        }

        SampleRate = sampleRate;
        BlockSize = frameSize;
        TailLength = tailLength;
    }

    /// <summary>Why libspeexdsp could not be loaded, or <c>null</c> if it is available.</summary>
    public static string? LoadError => SpeexNative.LoadError;

    public string Name => PeerName;

    public int BlockSize { get; }

    public int SampleRate { get; }

    public int TailLength { get; }

    /// <summary>True if libspeexdsp loads; never throws (the reason is in <see cref="LoadError"/>).</summary>
    public static bool IsAvailable() => SpeexNative.TryLoad(out _);

    /// <summary>True if libspeexdsp loads; otherwise false with the loader's message in <paramref name="error"/>.</summary>
    public static bool IsAvailable(out string? error) => SpeexNative.TryLoad(out error);

    public void Process(ReadOnlySpan<float> reference, ReadOnlySpan<float> primary, Span<float> residual)
    {
        ObjectDisposedException.ThrowIf(_state.IsClosed, this);
        var n = BlockSize;
        if (reference.Length != n || primary.Length != n || residual.Length != n)
        {
            throw new ArgumentException(
                $"Expected blocks of {n} samples, got reference={reference.Length}, primary={primary.Length}, residual={residual.Length}.");
        }

        ToPcm16(primary, _rec);
        ToPcm16(reference, _play);

        fixed (short* rec = _rec)
        fixed (short* play = _play)
        fixed (short* output = _out)
        {
            SpeexNative.EchoCancellation(_state, rec, play, output);
        }

        for (var i = 0; i < n; i++)
        {
            residual[i] = _out[i] * InverseScale;
        }
    }

    public void Dispose() => _state.Dispose();

    private static void ToPcm16(ReadOnlySpan<float> source, Span<short> destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            var s = MathF.Round(source[i] * Scale);
            destination[i] = s >= 32767f ? short.MaxValue
                : s <= -32768f ? short.MinValue
                : float.IsNaN(s) ? (short)0
                : (short)s;
        }
    }
}
