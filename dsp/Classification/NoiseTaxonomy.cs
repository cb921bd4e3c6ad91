namespace AncOrleans.Dsp.Classification;

/// <summary>
/// The noise categories the classifier names (docs/classifier.md), each with the ANC profile it selects.
/// Labels are stable identifiers: they appear in <c>classification</c> events, the model and the CLI.
/// </summary>
public static class NoiseTaxonomy
{
    private static NoiseCategory C(string label, string group, AncProfile profile, string description, bool emergency = false) =>
        new(label, group, profile, description, emergency);

    public static readonly IReadOnlyList<NoiseCategory> Categories =
    [
        // steady broadband
        C("white_noise", "stationary", AncProfile.BroadbandSteady, "flat-spectrum noise"),
        C("pink_noise", "stationary", AncProfile.BroadbandSteady, "−3 dB/octave noise"),
        C("brown_noise", "stationary", AncProfile.BroadbandSteady, "−6 dB/octave rumble"),
        // machinery and appliances
        C("hum", "machinery", AncProfile.Tonal, "mains hum, 50/60 Hz (or 100/120 Hz) and a few harmonics"),
        C("transformer_buzz", "machinery", AncProfile.Tonal, "100/120 Hz magnetostriction buzz, rich harmonics"),
        C("engine", "machinery", AncProfile.TonalDrifting, "combustion engine, firing harmonics with moving rpm"),
        C("fan", "machinery", AncProfile.Tonal, "blade-pass tone over airflow noise"),
        C("hvac", "machinery", AncProfile.BroadbandSteady, "duct rumble and airflow hiss"),
        C("refrigerator", "household", AncProfile.Tonal, "compressor hum"),
        C("electric_motor", "machinery", AncProfile.Tonal, "motor whine, 300–1500 Hz"),
        C("diesel_generator", "machinery", AncProfile.TonalDrifting, "low firing rate, irregular"),
        C("pump", "machinery", AncProfile.Tonal, "pulsing low-frequency pump"),
        C("lawn_mower", "household", AncProfile.TonalDrifting, "small engine, buzzy"),
        C("vacuum_cleaner", "household", AncProfile.BroadbandSteady, "high hiss and motor whine"),
        C("hair_dryer", "household", AncProfile.BroadbandSteady, "airflow noise and motor tone"),
        C("blender", "household", AncProfile.TonalDrifting, "loaded motor with erratic pitch"),
        C("washing_machine", "household", AncProfile.BroadbandFluctuating, "drum rumble with slow cycles"),
        C("dishwasher", "household", AncProfile.BroadbandFluctuating, "water spray with slow swells"),
        C("microwave", "household", AncProfile.Tonal, "transformer hum and fan"),
        C("kettle_whistle", "household", AncProfile.Transient, "a rising steady whistle"),
        // industrial
        C("drill", "industrial", AncProfile.TonalDrifting, "high-speed whine"),
        C("chainsaw", "industrial", AncProfile.TonalDrifting, "two-stroke engine, rough"),
        C("jackhammer", "industrial", AncProfile.Transient, "percussive impacts at 15–25 Hz"),
        C("circular_saw", "industrial", AncProfile.TonalDrifting, "blade whine 2–4 kHz"),
        C("hammering", "industrial", AncProfile.Transient, "impacts with ringing"),
        C("conveyor", "industrial", AncProfile.BroadbandSteady, "rumble with regular clicks"),
        C("industrial_fan", "industrial", AncProfile.BroadbandSteady, "large fan: low blade tone, strong airflow"),
        C("welding", "industrial", AncProfile.BroadbandFluctuating, "arc hiss and crackle"),
        C("air_compressor", "industrial", AncProfile.Tonal, "piston compressor, pulsing"),
        // transport
        C("traffic", "transport", AncProfile.BroadbandFluctuating, "road traffic rumble with passing engines"),
        C("train", "transport", AncProfile.BroadbandFluctuating, "rail rumble with joint clacks"),
        C("aircraft_cabin", "transport", AncProfile.BroadbandSteady, "jet cabin: steady broadband with tones"),
        C("car_interior", "transport", AncProfile.BroadbandSteady, "road noise below 500 Hz with engine order"),
        C("subway", "transport", AncProfile.BroadbandFluctuating, "rumble and wheel squeal"),
        C("motorcycle", "transport", AncProfile.TonalDrifting, "strong firing harmonics, revving"),
        C("helicopter", "transport", AncProfile.Tonal, "blade slap at 15–25 Hz"),
        C("bus", "transport", AncProfile.TonalDrifting, "diesel idle and cabin rumble"),
        // people
        C("babble", "human", AncProfile.Transient, "many talkers"),
        C("speech", "human", AncProfile.Transient, "one talker"),
        C("footsteps", "human", AncProfile.Transient, "walking"),
        C("keyboard_typing", "human", AncProfile.Transient, "key clicks"),
        C("applause", "human", AncProfile.BroadbandFluctuating, "many claps"),
        C("music", "human", AncProfile.Transient, "notes and chords"),
        C("children_playing", "human", AncProfile.Transient, "children shouting and playing (UrbanSound8K children_playing)"),
        // impulsive (not an emergency by this taxonomy: UrbanSound8K's gun_shot is counted as neither)
        C("gun_shot", "impulsive", AncProfile.Transient, "a sharp broadband crack with a decaying tail (UrbanSound8K gun_shot)"),
        // household signals
        C("doorbell", "household", AncProfile.Transient, "a two-note chime"),
        C("alarm_clock", "household", AncProfile.Transient, "groups of beeps every second"),
        C("phone_ring", "household", AncProfile.Transient, "dual-tone ring, 2 s on 4 s off"),
        C("dog_bark", "household", AncProfile.Transient, "barks"),
        C("clock_tick", "household", AncProfile.Transient, "ticks once a second"),
        // nature
        C("wind", "nature", AncProfile.BroadbandFluctuating, "low-frequency gusts"),
        C("rain", "nature", AncProfile.BroadbandSteady, "many drops over a hiss"),
        C("thunder", "nature", AncProfile.BroadbandFluctuating, "deep rolling rumble"),
        C("ocean_waves", "nature", AncProfile.BroadbandFluctuating, "slow swells of surf"),
        C("running_water", "nature", AncProfile.BroadbandSteady, "a stream or a tap"),
        C("birdsong", "nature", AncProfile.Transient, "fast chirps 2–6 kHz"),
        C("crickets", "nature", AncProfile.Transient, "pulsed 4–5 kHz trills"),
        C("frogs", "nature", AncProfile.Transient, "pulsed croaks"),
        // emergencies (the emergency detector acts on these; the classifier names them too)
        C("siren", "emergency", AncProfile.Transient, "wail, yelp, hi-lo", emergency: true),
        C("smoke_alarm", "emergency", AncProfile.Transient, "T3 pattern near 3 kHz", emergency: true),
        C("co_alarm", "emergency", AncProfile.Transient, "T4 pattern near 3 kHz", emergency: true),
        C("car_horn", "emergency", AncProfile.Transient, "one or two steady tones", emergency: true),
        C("glass_break", "emergency", AncProfile.Transient, "a crash, then a shower of short high fragments", emergency: true),
    ];

    public static readonly IReadOnlyList<string> Labels = Categories.Select(c => c.Label).ToArray();

    private static readonly Dictionary<string, NoiseCategory> ByLabel = Categories.ToDictionary(c => c.Label);

    public static NoiseCategory Get(string label) => ByLabel.TryGetValue(label, out var category) ? category
        : throw new ArgumentException($"Unknown noise category '{label}'.");

    public static bool TryGet(string label, out NoiseCategory category) => ByLabel.TryGetValue(label, out category!);
}
