namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// The ISO 8201 audible emergency evacuation signals on the <see cref="ToneAnalyzer"/>'s peak track, for a
/// 2–4.5 kHz alarm tone (frames as <see cref="ToneFrame.IsTone"/>, prominence ≥ 30 %):
/// <list type="bullet">
/// <item><b>smoke_alarm</b> (temporal-three, 3 × 0.5 s on / 0.5 s off, then 1.5 s off; and continuous alarms): the
/// tone is present ≥ 1.2 s of the last 3 s — the third pulse of a T3 cycle at the latest.</item>
/// <item><b>co_alarm</b> (temporal-four, 4 × 0.1 s on / 0.1 s off, then ≈ 5 s off): four 40–260 ms pulses separated by
/// 40–260 ms gaps, then 0.3–1 s of quiet (T4's long pause; a beeping smoke alarm carries straight on). A dropout of
/// ≤ 35 ms inside a pulse (babble taking the strongest peak for a frame or two) does not split it.</item>
/// </list>
/// Allocation-free.
/// </summary>
public sealed class TemporalAlarmPattern(double hopSeconds)
{
    private const double LowHz = 2000, HighHz = 4500, MinProminence = 0.3, MaxDropoutSeconds = 0.035;
    private readonly (double Start, double End)[] _pulses = new (double, double)[4]; // the last four pulses, a ring

    /// <summary>
    /// <see cref="EmergencyKind.CoAlarm"/>, <see cref="EmergencyKind.SmokeAlarm"/> or null, in that order of precedence:
    /// one pass over the history judges each frame's tone once for both patterns.
    /// </summary>
    public string? Match(ToneHistory history, double loudestDb)
    {
        var tonal = 0;
        var pulses = 0;
        double? start = null;
        double last = 0;
        for (var i = 0; i < history.Count; i++)
        {
            var f = history[i];
            if (IsAlarmTone(f, loudestDb))
            {
                tonal++;
                // A pulse broken for a frame or two (a syllable took the peak) is one pulse: T4's gaps are 100 ms.
                if (start is null && pulses > 0 && f.TimeSeconds - _pulses[(pulses - 1) % 4].End <= MaxDropoutSeconds)
                    start = _pulses[--pulses % 4].Start;
                start ??= f.TimeSeconds;
                last = f.TimeSeconds;
            }
            else if (start is { } s) { _pulses[pulses++ % 4] = (s, last + hopSeconds); start = null; }
        }
        if (IsTemporalFour(history, start is not null, pulses)) return EmergencyKind.CoAlarm;
        return tonal * hopSeconds >= 1.2 ? EmergencyKind.SmokeAlarm : null;
    }

    // The last four pulses (in _pulses) as temporal-four: none still sounding, each 40–260 ms, 40–260 ms apart, and 0.3–1 s
    // of quiet since.
    private bool IsTemporalFour(ToneHistory history, bool sounding, int pulses)
    {
        if (sounding || pulses < 4) return false;
        var quiet = history.Newest.TimeSeconds - _pulses[(pulses - 1) % 4].End;
        if (quiet is < 0.3 or > 1.0) return false;
        for (var k = 0; k < 4; k++)
        {
            var (s, e) = _pulses[(pulses - 4 + k) % 4];
            if (e - s is < 0.04 or > 0.26) return false;
            if (k > 0 && s - _pulses[(pulses - 5 + k) % 4].End is < 0.04 or > 0.26) return false;
        }
        return true;
    }

    private static bool IsAlarmTone(ToneFrame f, double loudestDb) => f.IsTone(LowHz, HighHz, MinProminence, loudestDb);
}
