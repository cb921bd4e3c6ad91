using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Dsp;

namespace AncOrleans.Device;

/// <summary>
/// What a device does in edge mode (docs/protocol.md §2b), free of any transport: it runs the control filter
/// (<see cref="EdgeFilter"/>) on its reference mic at zero latency, batches (x, e) into type-3 frames tagged with
/// the set it applied, checks each coefficient set it receives (CRC-32, length, rate) — refusing a bad one, keeping
/// its last good set and saying so — and applies the newest good set with its cross-fade at the start of the next
/// upload frame. Nothing waits for a reply. Not thread-safe except <see cref="OnMessage"/>, which may be called
/// from the transport's thread.
/// </summary>
public sealed class EdgeDevice
{
    private readonly int _sampleRate, _batch;
    private readonly EdgeFilter _filter;
    private readonly float[] _x, _e;
    private int _fill;
    private EdgeTag _tag;
    private uint _sequence;
    private CoefficientMessage? _pending;
    private bool _alertActive, _muteRequested;
    private readonly Lock _lock = new();
    private readonly List<double> _ages = [];
    private readonly Queue<byte[]> _reports = new();

    /// <param name="batchSamples">Samples per upload frame (e.g. 480 = 10 ms, 4800 = 100 ms); sets apply between frames.</param>
    public EdgeDevice(int sampleRate, int filterLength, int batchSamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSamples, 1);
        _sampleRate = sampleRate;
        _batch = batchSamples;
        _filter = new EdgeFilter(filterLength);
        _x = new float[batchSamples];
        _e = new float[batchSamples];
        _tag = EdgeTag.Steady(0);
    }

    /// <summary>The <c>start</c> message for edge mode.</summary>
    public ControlMessage Start(float[]? secondaryPath, double updateMs = 100, double dutyCycle = 1) => new()
    {
        Type = "start", SampleRate = _sampleRate, FrameSamples = _batch, Format = "int16", Channels = ["reference", "error"],
        Mode = "edge", FilterLength = _filter.Length, SecondaryPath = secondaryPath, UpdateMs = updateMs, DutyCycle = dutyCycle,
    };

    public uint AppliedVersion => _filter.Version;
    public int SetsReceived { get; private set; }
    public int SetsApplied { get; private set; }
    public int SetsRefused { get; private set; }
    public long BytesUploaded { get; private set; }
    public int FramesSent { get; private set; }

    /// <summary>The reason the last set was refused.</summary>
    public string? LastRefusal { get; private set; }

    /// <summary>For each applied set: device time at application minus the end of the audio it was fitted on, ms.</summary>
    public IReadOnlyList<double> AgesMs { get { lock (_lock) return _ages.ToArray(); } }

    /// <summary>
    /// A message from the cloud. Binary coefficient sets are checked here; a bad one is refused (and a
    /// <c>coefficientsRefused</c> report queued, see <see cref="TakeReports"/>). Returns true for a message it handled.
    /// </summary>
    public bool OnMessage(ReadOnlySpan<byte> message, bool text)
    {
        if (text)
        {
            ObserveAlert(message);
            return false;
        }
        if (!CoefficientMessage.IsCoefficients(message)) return false;
        lock (_lock)
        {
            SetsReceived++;
            string? error;
            if (!CoefficientMessage.TryParse(message, out var set, out error)) { }
            else if (set!.Taps.Length != _filter.Length) error = $"coefficients: {set.Taps.Length} taps, the filter has {_filter.Length}";
            else if (set.SampleRate != 0 && set.SampleRate != _sampleRate) error = $"coefficients: for {set.SampleRate} Hz, the device runs at {_sampleRate} Hz";
            if (error is not null)
            {
                SetsRefused++;
                LastRefusal = error;
                _reports.Enqueue(new ControlMessage { Type = "coefficientsRefused", Reason = error, Version = ReadVersion(message) }.ToUtf8());
                return true;
            }
            if (set!.SetVersion > (_pending?.SetVersion ?? _filter.Version)) _pending = set; // a late, older set is ignored
            return true;
        }
    }

    /// <summary>
    /// The emergency path on the device: an active <c>alert</c> fades the anti-noise to version 0 (all zeros, known to
    /// both sides) at the next block, within <see cref="AlertFadeSamples"/>, and no set is applied until the alert
    /// clears; then the newest set received meanwhile is applied. The cloud sends a zero set too, and nothing else
    /// while the alert holds (docs/protocol.md §2b).
    /// </summary>
    private void ObserveAlert(ReadOnlySpan<byte> message)
    {
        if (message.IndexOf("\"alert\""u8) < 0 || !ControlMessage.TryParse(message, out var control, out _) || control!.Type != "alert" || control.Alert is not { } alert) return;
        lock (_lock)
        {
            if (alert.Active && !_alertActive) _muteRequested = true;
            _alertActive = alert.Active;
            // Acknowledged with the next reports, so that the session stops re-sending it.
            if (alert.AlertId is { } id) _reports.Enqueue(new ControlMessage { Type = "alertAck", AlertId = id }.ToUtf8());
        }
    }

    /// <summary>True while an emergency alert holds the anti-noise at zero.</summary>
    public bool AlertActive { get { lock (_lock) return _alertActive; } }

    /// <summary>The fade to silence on an alert: 20 ms.</summary>
    public int AlertFadeSamples => _sampleRate / 50;

    private static uint? ReadVersion(ReadOnlySpan<byte> message) =>
        message.Length >= 8 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(message[4..]) : null;

    /// <summary>Reports to send as text (<c>coefficientsRefused</c>), oldest first.</summary>
    public IReadOnlyList<byte[]> TakeReports()
    {
        lock (_lock)
        {
            var reports = _reports.ToArray();
            _reports.Clear();
            return reports;
        }
    }

    /// <summary>
    /// The speaker's output for a block of the reference mic (any length, e.g. the audio callback's). At the
    /// start of an upload frame the newest good set is applied first, with its cross-fade.
    /// </summary>
    public void Filter(ReadOnlySpan<float> x, Span<float> y, long deviceTimeUs)
    {
        if (_fill == 0)
        {
            CoefficientMessage? set = null;
            bool mute;
            lock (_lock)
            {
                mute = _muteRequested;
                _muteRequested = false;
                if (!_alertActive)
                {
                    set = _pending;
                    _pending = null;
                }
            }
            if (mute && _filter.Version != 0) _filter.Apply(0, new float[_filter.Length], AlertFadeSamples);
            if (set is not null)
            {
                _filter.Apply(set.SetVersion, set.Taps, set.CrossfadeSamples);
                SetsApplied++;
                lock (_lock) _ages.Add((deviceTimeUs - set.TimestampUs) / 1000.0);
            }
            _tag = new EdgeTag(_filter.Version, _filter.FadingFrom, _filter.FadeElapsed);
        }
        _filter.Process(x, y);
    }

    /// <summary>
    /// Records what the mics heard for the block just filtered (x and e, same length as the block); returns an
    /// upload frame when a batch is full, else null. <paramref name="firstSampleTimeUs"/> is the device time of
    /// the batch's first sample.
    /// </summary>
    public byte[]? Record(ReadOnlySpan<float> x, ReadOnlySpan<float> e, long firstSampleTimeUs)
    {
        if (_fill + x.Length > _batch) throw new ArgumentException($"A block of {x.Length} overruns the batch of {_batch} (filled {_fill}).");
        x.CopyTo(_x.AsSpan(_fill));
        e.CopyTo(_e.AsSpan(_fill));
        if (_fill == 0) _batchStartUs = firstSampleTimeUs;
        _fill += x.Length;
        if (_fill < _batch) return null;
        _fill = 0;
        var pcm = FrameCodec.EncodeStereo(_x, _e, SampleFormat.Int16);
        var frame = new WireFrame(WireFrame.EdgeAudio, SampleFormat.Int16, 2, _sequence++, _batchStartUs, _batch, _sampleRate, pcm,
            AppliedVersion: _tag.Version, FadingFrom: _tag.FadingFrom, FadeElapsed: (uint)_tag.FadeElapsed).ToBytes();
        BytesUploaded += frame.Length;
        FramesSent++;
        return frame;
    }

    private long _batchStartUs;

    /// <summary>A frame the transport could not deliver still advances the sequence (the cloud sees the gap).</summary>
    public void SkipSequence() => _sequence++;
}
