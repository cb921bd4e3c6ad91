namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Pattern detectors for the sounds a listener wrapped in ANC must still hear, on the <see cref="ToneAnalyzer"/>'s
/// peak track (≈ 20 ms hops). A frame counts for a pattern when its strongest 300–4500 Hz peak is prominent (holds
/// ≥ 25–30 % of the band's power: a tone at 0 dB SNR in broadband noise still does) and is within 15 dB of the loudest
/// frame of the last 3 s (the decaying ring between beeps does not count), above −75 dBFS.
/// <list type="bullet">
/// <item><b>smoke_alarm</b> (ISO 8201 temporal-three and continuous alarms): a 2–4.5 kHz tone present ≥ 1.2 s of the
/// last 3 s — the third pulse of a T3 cycle at the latest.</item>
/// <item><b>co_alarm</b> (temporal-four): four 50–250 ms pulses of a 2–4.5 kHz tone separated by 50–250 ms gaps, then quiet.</item>
/// <item><b>siren</b> (wail, yelp, hi-lo): a 450–2000 Hz tone in ≥ 70 % of the last second, sweeping or alternating over
/// ≥ 100 Hz, at a steady level (within 12 dB: a doorbell's decay is not a siren), holding for 0.35 s.</item>
/// <item><b>car_horn</b>: one or two steady 300–700 Hz tones (within 150 Hz over 3 s) that are themselves the lowest strong
/// peak, in ≥ 85 % of 0.9 s (longer than one half of a hi-lo siren), level within 4 dB.</item>
/// </list>
/// A detection stays active until its pattern has been absent for <see cref="ReleaseSeconds"/>.
/// </summary>
public sealed class EmergencyDetector
{
    public const double ReleaseSeconds = 3.0;
    private readonly ToneAnalyzer _analyzer;
    private readonly Queue<ToneFrame> _history = new(); // the last 3 s of frames
    private readonly double _hop;
    private string? _active;
    private double _lastSeen;
    private double? _sirenSince;          // when the siren pattern started to hold

    public EmergencyDetector(int sampleRate)
    {
        _analyzer = new ToneAnalyzer(sampleRate);
        _hop = _analyzer.HopSeconds;
    }

    /// <summary>The emergency being signalled, or null.</summary>
    public string? Active => _active;

    /// <summary>Raised when a detection starts: (kind, time of detection in seconds since the first sample).</summary>
    public event Action<string, double>? Detected;

    /// <summary>Raised when an active detection has been absent for <see cref="ReleaseSeconds"/>.</summary>
    public event Action<string, double>? Cleared;

    public void Push(ReadOnlySpan<float> samples) => _analyzer.Push(samples, OnFrame);

    private void OnFrame(ToneFrame frame)
    {
        _history.Enqueue(frame);
        while (_history.Count > 0 && frame.TimeSeconds - _history.Peek().TimeSeconds > 3.0) _history.Dequeue();
        var found = Recognise(frame.TimeSeconds);
        if (found is not null)
        {
            _lastSeen = frame.TimeSeconds;
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
        var loudest = double.MinValue;
        foreach (var f in _history) loudest = Math.Max(loudest, f.LevelDb);
        bool Tonal(ToneFrame f, double low, double high, double prominence) =>
            f.Prominence >= prominence && f.PeakHz >= low && f.PeakHz <= high && f.LevelDb >= loudest - 15 && f.LevelDb > -75;

        if (CoPattern(now, f => Tonal(f, 2000, 4500, 0.3))) return EmergencyKind.CoAlarm;
        var alarmSeconds = _history.Count(f => Tonal(f, 2000, 4500, 0.3)) * _hop;
        if (alarmSeconds >= 1.2) return EmergencyKind.SmokeAlarm;
        // A siren pattern must hold for 0.35 s of consecutive hops: a doorbell's two notes, a run of music or a
        // vowel can look like one second of siren, but not for long.
        if (Siren(now, f => Tonal(f, 450, 2000, 0.3))) { _sirenSince ??= now; }
        else _sirenSince = null;
        if (_sirenSince is { } since && now - since >= 0.35) return EmergencyKind.Siren;
        if (Horn(now, f => Tonal(f, 300, 700, 0.25) && f.LowestPeakHz >= 250)) return EmergencyKind.CarHorn;
        return null;
    }

    private bool Siren(double now, Func<ToneFrame, bool> tonal)
    {
        var window = _history.Where(f => now - f.TimeSeconds <= 1.0).ToArray();
        if (window.Length < 0.9 / _hop) return false;
        var hits = window.Where(tonal).ToArray();
        if (hits.Length < 0.7 * window.Length) return false;
        var range = hits.Max(f => f.PeakHz) - hits.Min(f => f.PeakHz);
        var levels = hits.Max(f => f.LevelDb) - hits.Min(f => f.LevelDb);
        if (range < 100 || levels > 12) return false;
        // Wail and yelp never hold a pitch: most hops move by 2–80 Hz. Music holds each note (steps of 0 Hz,
        // then a jump), so it fails this, and the hi-lo test below unless it alternates exactly two pitches.
        var moving = 0;
        for (var i = 1; i < hits.Length; i++)
        {
            var step = Math.Abs(hits[i].PeakHz - hits[i - 1].PeakHz);
            if (step is > 2 and < 80) moving++;
        }
        if (moving >= 0.6 * (hits.Length - 1)) return true;
        // Hi-lo: exactly two pitches a quarter to a half apart, both held, at a steady level.
        var low = hits.Min(f => f.PeakHz);
        var high = hits.Max(f => f.PeakHz);
        var ratio = high / low;
        var twoPitches = hits.All(f => Math.Abs(f.PeakHz - low) < 0.03 * low || Math.Abs(f.PeakHz - high) < 0.03 * high);
        return twoPitches && ratio is > 1.2 and < 1.5 && levels <= 8;
    }

    private bool Horn(double now, Func<ToneFrame, bool> tonal)
    {
        var window = _history.Where(f => now - f.TimeSeconds <= 0.9).ToArray();
        if (window.Length < 0.8 / _hop) return false;
        var hits = window.Where(tonal).ToArray();
        if (hits.Length < 0.85 * window.Length) return false;
        // Steady: one or two tones (a two-tone horn), the same in every tonal frame of the last 3 s (not the
        // turning point of a wail), at a steady level (not a decaying doorbell or a plucked note).
        var recent = _history.Where(tonal).ToArray();
        return recent.Max(f => f.PeakHz) - recent.Min(f => f.PeakHz) <= 150
            && hits.Max(f => f.LevelDb) - hits.Min(f => f.LevelDb) <= 4;
    }

    // Four short pulses with short gaps, then at least 300 ms of quiet (T4's long pause; a beeping smoke alarm
    // carries straight on and is left to the smoke rule).
    private bool CoPattern(double now, Func<ToneFrame, bool> tonal)
    {
        var pulses = new List<(double Start, double End)>();
        double? start = null;
        double last = 0;
        foreach (var f in _history)
        {
            if (tonal(f)) { start ??= f.TimeSeconds; last = f.TimeSeconds; }
            else if (start is { } s) { pulses.Add((s, last + _hop)); start = null; }
        }
        if (start is not null || pulses.Count < 4 || now - pulses[^1].End is < 0.3 or > 1.0) return false;
        var recent = pulses.TakeLast(4).ToArray();
        for (var i = 0; i < 4; i++)
        {
            var length = recent[i].End - recent[i].Start;
            if (length is < 0.04 or > 0.26) return false;
            if (i > 0 && recent[i].Start - recent[i - 1].End is < 0.04 or > 0.26) return false;
        }
        return true;
    }
}
