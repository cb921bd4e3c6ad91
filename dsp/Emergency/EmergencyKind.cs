namespace AncOrleans.Dsp.Emergency;

/// <summary>What the detector recognises; the names are the taxonomy's labels.</summary>
public static class EmergencyKind
{
    public const string Siren = "siren";
    public const string SmokeAlarm = "smoke_alarm";
    public const string CoAlarm = "co_alarm";
    public const string CarHorn = "car_horn";
    public const string GlassBreak = "glass_break";
}
