using AncOrleans.Dsp;
using AncOrleans.Dsp.Classification;

namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Pattern detectors for the sounds a listener wrapped in ANC must still hear, on the <see cref="ToneAnalyzer"/>'s
/// peak track (≈ 10–16 ms hops, the last 3 s in a <see cref="ToneHistory"/>):
/// <list type="bullet">
/// <item><b>smoke_alarm</b>, <b>co_alarm</b>: ISO 8201 temporal-three and temporal-four (<see cref="TemporalAlarmPattern"/>).</item>
/// <item><b>siren</b>: a wail, yelp or hi-lo (<see cref="SirenPattern"/>) matched in ≥ 0.25 s worth of the last second's
/// frames (a run of music can match for a frame or two, a siren keeps matching).</item>
/// <item><b>car_horn</b>: a 300–700 Hz partial with its harmonics held ≥ 0.85 s at a steady level, on the long-frame
/// <see cref="SteadyLineTracker"/> (<see cref="CarHornPattern"/>).</item>
/// <item><b>glass_break</b>: a broadband crash and a shower of short high resonances (<see cref="GlassBreakDetector"/>);
/// a one-shot event, so the alert clears <see cref="ReleaseSeconds"/> later, or when a continuing sound takes over.</item>
/// </list>
/// A detection stays active until its pattern has been absent for <see cref="ReleaseSeconds"/>.
/// From 32 kHz up (<see cref="NarrowFromRate"/>: 44.1, 48, 96 kHz) the tone track and the steady lines read the 16 kHz signal of a <see cref="Spectrum16k"/> (sirens,
/// alarms and horns lie under 4.5 kHz): the tone track its 512-point spectrum every 16 ms — the frames a 16 kHz stream
/// analyses — and the line tracker its samples halved to 8 kHz (<see cref="HalfBandDecimator"/>); glass break reads the input as it is (its band reaches 10.8 kHz). In a
/// session that front end is the one the classifier's features read (<see cref="FusedEmergencyDetector"/>): the input
/// is resampled and transformed once per hop for both. Below 32 kHz every analyser reads the input as before (at
/// 22.05 kHz the 16 kHz analysis let two real drills of UrbanSound8K fold 1 pass for sirens that the input's own
/// 23 ms frames did not; 44.1 and 48 kHz clips gave the same decisions either way).
/// </summary>
public sealed class EmergencyDetector : IEmergencyDetector
{
    public const double ReleaseSeconds = 3.0;
    private const double SirenHoldSeconds = 0.25;
    private readonly ToneAnalyzer _analyzer;
    private readonly ToneHistory _history;
    private readonly SirenPattern _siren;
    private readonly TemporalAlarmPattern _alarms;
    private readonly double _hop;
    private readonly Action<ToneFrame> _onFrame;
    private readonly SteadyLineTracker _lines;
    private readonly CarHornPattern _horn;
    private readonly Action<double> _onLines;
    private readonly int _chunk;          // samples per step: every analyser is fed the same chunk in turn
    private bool _hornNow;
    private readonly GlassBreakDetector _glass;
    private readonly Action<double> _onGlass;
    private bool _glassNow;               // a glass break was recognised since the last tone frame
    private string? _active;
    private double _lastSeen;
    private readonly Queue<double> _sirenMatches = new();
    /// <summary>The lowest input rate whose tone track and lines read the 16 kHz front end.</summary>
    public const int NarrowFromRate = 32_000;
    private readonly Spectrum16k? _front;  // the 16 kHz front end this detector pushes, or null (< 32 kHz alone)
    private float[] _forFront = [], _forGlass = []; // scratch: a chunk low-passed for the front end and for the glass detector
    private readonly bool _narrow;         // tone and lines on the front end's 16 kHz signal (input ≥ 32 kHz)
    private readonly HalfBandDecimator _halve = new();   // 16 → 8 kHz for the lines (narrow only)
    private float[] _at8k = [];            // scratch: the chunk at 8 kHz

    /// <summary>The patterns alone: from 32 kHz up with a 16 kHz front end of their own.</summary>
    public EmergencyDetector(int sampleRate)
        : this(sampleRate, sampleRate >= NarrowFromRate ? new Spectrum16k(sampleRate) : null)
    {
    }

    /// <summary>
    /// The patterns on a shared front end (at <paramref name="sampleRate"/>), which this detector pushes in step with
    /// its analysers: whatever else listens to it (the classifier's features) gets every frame from <see cref="Push"/>.
    /// </summary>
    public EmergencyDetector(int sampleRate, Spectrum16k? front)
    {
        if (front is not null && front.InputRate != sampleRate)
            throw new ArgumentException($"the front end takes {front.InputRate} Hz, the detector {sampleRate} Hz.");
        _front = front;
        _narrow = front is not null && sampleRate >= NarrowFromRate;
        var toneRate = _narrow ? Spectrum16k.Rate : sampleRate;
        _analyzer = new ToneAnalyzer(toneRate);
        if (_narrow)
        {
            if (_analyzer.Size != Spectrum16k.FrameSize) throw new InvalidOperationException("the tone track's frames are not the front end's.");
            front!.FrameReady += () => OnFrame(_analyzer.Analyse(front.Power, front.FrameCentreSeconds));
        }
        _hop = _analyzer.HopSeconds;
        _history = new ToneHistory(3.0, _hop);
        _siren = new SirenPattern((int)(3.0 / _hop) + 4, _hop);
        _alarms = new TemporalAlarmPattern(_hop);
        _onFrame = OnFrame;
        // From 32 kHz up the lines read the front end's signal halved again (8 kHz: horn partials lie under 2.5 kHz):
        // 150 ms frames in 2048-point transforms, the 3.9 Hz bins of a 16 kHz stream's 4096-point ones, at half the cost.
        _lines = new SteadyLineTracker(_narrow ? Spectrum16k.Rate / 2 : sampleRate);
        _horn = new CarHornPattern(_lines);
        _onLines = _ => _hornNow = _horn.Matches();
        _glass = new GlassBreakDetector(sampleRate);
        _onGlass = _ => _glassNow = true;
        _chunk = Math.Max(1, (int)Math.Round(_hop * sampleRate));
    }

    /// <summary>The front end this detector pushes (null below 32 kHz without a shared one).</summary>
    public Spectrum16k? Front => _front;

    /// <summary>The emergency being signalled, or null.</summary>
    public string? Active => _active;

    /// <summary>Raised when a detection starts: (kind, time of detection in seconds since the first sample).</summary>
    public event Action<string, double>? Detected;

    /// <summary>Raised when an active detection has been absent for <see cref="ReleaseSeconds"/>.</summary>
    public event Action<string, double>? Cleared;

    public void Push(ReadOnlySpan<float> samples)
    {
        // In hop-sized chunks, so that each analyser's verdict is current when the tone frames are judged.
        for (var start = 0; start < samples.Length; start += _chunk)
        {
            var chunk = samples.Slice(start, Math.Min(_chunk, samples.Length - start));
            if (_front is null)
            {
                _lines.Push(chunk, _onLines);
                _glass.Push(chunk, _onGlass);
                _analyzer.Push(chunk, _onFrame);
                continue;
            }
            ReadOnlySpan<float> resampled, forGlass = default;
            var glassLowPass = _glass.AntiAlias;
            if (glassLowPass is { } glassSections)
            {
                // Both low-passes of this stream in one loop (the same numbers as each alone).
                if (_forFront.Length < chunk.Length) (_forFront, _forGlass) = (SessionArray.Of<float>(chunk.Length), SessionArray.Of<float>(chunk.Length));
                var front = _forFront.AsSpan(0, chunk.Length);
                var glass = _forGlass.AsSpan(0, chunk.Length);
                BlockCascade.ProcessPair(_front.LowPass, glassSections, chunk, front, glass);
                resampled = _front.ResampleFiltered(front);
                forGlass = glass;
            }
            else resampled = _front.Resample(chunk);
            if (_narrow)
            {
                if (_at8k.Length < HalfBandDecimator.MaxOutput(resampled.Length)) _at8k = SessionArray.Of<float>(HalfBandDecimator.MaxOutput(resampled.Length));
                _lines.Push(_at8k.AsSpan(0, _halve.Process(resampled, _at8k)), _onLines);
            }
            else _lines.Push(chunk, _onLines);
            if (glassLowPass is null) _glass.Push(chunk, _onGlass);
            else _glass.PushFiltered(forGlass, _onGlass);
            if (!_narrow) _analyzer.Push(chunk, _onFrame);
            _front.PushResampled(resampled); // tone frames (≥ 32 kHz), then the other listeners'
        }
    }

    private void OnFrame(ToneFrame frame)
    {
        _history.Add(frame);
        var found = Recognise(frame.TimeSeconds);
        if (found is not null)
        {
            _lastSeen = frame.TimeSeconds;
            if (_active == EmergencyKind.GlassBreak && found != _active)
            {
                // A one-shot alert gives way to a sound that carries on (a siren after the crash).
                Cleared?.Invoke(_active, frame.TimeSeconds);
                _active = null;
            }
            if (_active is null)
            {
                _active = found;
                Detected?.Invoke(found, frame.TimeSeconds);
            }
        }
        else if (_active is not null && frame.TimeSeconds - _lastSeen > ReleaseSeconds)
        {
            var cleared = _active;
            _active = null;
            Cleared?.Invoke(cleared, frame.TimeSeconds);
        }
    }

    private string? Recognise(double now)
    {
        if (_glassNow)
        {
            _glassNow = false;
            return EmergencyKind.GlassBreak;
        }
        var loudest = double.MinValue;
        for (var i = 0; i < _history.Count; i++) loudest = Math.Max(loudest, _history[i].LevelDb);
        if (_alarms.Match(_history, loudest) is { } alarm) return alarm;
        if (_siren.Match(_history, loudest) is not null) _sirenMatches.Enqueue(now);
        while (_sirenMatches.Count > 0 && now - _sirenMatches.Peek() > 1.0) _sirenMatches.Dequeue();
        if (_sirenMatches.Count > 0 && _sirenMatches.Count * _hop >= SirenHoldSeconds - 1e-9) return EmergencyKind.Siren;
        if (_hornNow) return EmergencyKind.CarHorn;
        return null;
    }
}
