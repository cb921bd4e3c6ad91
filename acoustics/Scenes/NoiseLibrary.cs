using static AncOrleans.Acoustics.Scenes.SoundSynth;

namespace AncOrleans.Acoustics.Scenes;

/// <summary>
/// A deterministic synthetic example of every category in <see cref="Classification.NoiseTaxonomy"/>, with its
/// parameters drawn from the seed (pitch, rates, bandwidths, modulation). These are recipes — noise colours,
/// harmonic series, envelopes, impulse trains — that capture each sound's spectral and temporal signature, not
/// recordings: a model trained on them is a synthetic baseline, and <c>anc train-classifier --wav</c> retrains it
/// on real audio. Emergencies and some confusers come from <see cref="EmergencySounds"/>.
/// </summary>
public static class NoiseLibrary
{
    /// <summary>A clip of <paramref name="seconds"/> of the category at RMS 0.1.</summary>
    public static float[] Render(string label, int rate, double seconds, NoiseGenerator r)
    {
        var n = (int)(seconds * rate);
        double U(double low, double high) => low + (high - low) * r.NextUniform();
        float[] signal;
        switch (label)
        {
            case "white_noise": signal = r.White(n); break;
            case "pink_noise": signal = r.Pink(n); break;
            case "brown_noise": signal = Brown(n, rate, r); break;
            case "hum":
                // mains at 50/60 Hz, or at twice that where rectifiers and magnetostriction dominate
                signal = Add(Harmonics(n, rate, (r.NextUniform() < 0.5 ? 50 : 60) * (r.NextUniform() < 0.5 ? 1 : 2), 0.001,
                    [1, U(0.3, 0.8), U(0.2, 0.6), U(0.1, 0.4), U(0.05, 0.3)], r), r.Pink(n), U(20, 40));
                break;
            case "transformer_buzz":
                signal = Harmonics(n, rate, r.NextUniform() < 0.5 ? 100 : 120, 0.0005, Rolloff(30, U(0.6, 1.0)), r);
                Buzz(signal, U(0.4, 0.7));
                signal = Add(signal, r.Pink(n), 30);
                break;
            case "engine":
                signal = Add(Harmonics(n, rate, U(25, 70), U(0.05, 0.2), Rolloff(12, U(0.5, 1)), r), BandWhite(n, rate, 30, 800, r), U(6, 12));
                break;
            case "fan":
                signal = Add(BandWhite(n, rate, 50, U(1500, 4000), r), Harmonics(n, rate, U(80, 300), 0.005, [1, 0.4, 0.2], r), -U(0, 6));
                break;
            case "hvac":
                signal = Add(Brown(n, rate, r), BandWhite(n, rate, 200, 2000, r), U(6, 12));
                signal = Add(signal, Harmonics(n, rate, U(50, 120), 0.002, [1, 0.5], r), U(10, 20));
                break;
            case "refrigerator":
                signal = Add(Harmonics(n, rate, r.NextUniform() < 0.5 ? 50 : 60, 0.002, [0.4, 1, 0.3, 0.5, 0.2, 0.2], r), BandWhite(n, rate, 100, 1000, r), U(15, 25));
                break;
            case "electric_motor":
                signal = Add(Harmonics(n, rate, U(300, 1500), 0.003, [1, 0.3, 0.2], r), r.Pink(n), U(8, 16));
                break;
            case "diesel_generator":
                signal = Harmonics(n, rate, U(12, 25), 0.03, Rolloff(20, 0.7), r);
                ModulateRandom(signal, rate, 8, 0.4, r);
                signal = Add(signal, BandWhite(n, rate, 30, 600, r), 8);
                break;
            case "pump":
                signal = Add(BandWhite(n, rate, 40, 500, r), Harmonics(n, rate, U(40, 100), 0.005, [1, 0.5, 0.3], r), 3);
                Modulate(signal, rate, U(2, 6), U(0.6, 0.9));
                break;
            case "lawn_mower":
                signal = Harmonics(n, rate, U(40, 60), U(0.02, 0.06), Rolloff(25, 0.5), r);
                Buzz(signal, 0.6);
                signal = Add(signal, BandWhite(n, rate, 100, 4000, r), 10);
                break;
            case "vacuum_cleaner":
                signal = Add(BandWhite(n, rate, U(800, 1500), U(5000, 7000), r), Harmonics(n, rate, U(500, 1000), 0.004, [1, 0.4], r), U(6, 14));
                break;
            case "hair_dryer":
                signal = Add(BandWhite(n, rate, U(300, 700), U(4000, 6000), r), Harmonics(n, rate, U(180, 400), 0.004, [1, 0.5, 0.3], r), U(8, 14));
                break;
            case "blender":
                signal = Add(Harmonics(n, rate, U(250, 700), U(0.05, 0.12), [1, 0.5, 0.3, 0.2], r), BandWhite(n, rate, 200, 6000, r), 4);
                ModulateRandom(signal, rate, 12, 0.5, r);
                break;
            case "washing_machine":
                signal = BandWhite(n, rate, 30, 400, r);
                Modulate(signal, rate, U(0.6, 1.2), 0.8);
                Impulses(signal, rate, U(0.7, 1.3), 0.2, 30, 50, 300, r, amplitude: 3);
                break;
            case "dishwasher":
                signal = BandWhite(n, rate, U(500, 1000), 7000, r);
                Modulate(signal, rate, U(0.3, 0.8), 0.6);
                break;
            case "microwave":
                signal = Add(Harmonics(n, rate, r.NextUniform() < 0.5 ? 100 : 120, 0.001, [1, 0.6, 0.4, 0.3, 0.2], r), BandWhite(n, rate, 100, 3000, r), 6);
                break;
            case "kettle_whistle":
                {
                    double f0 = U(1200, 1800), rise = U(0.02, 0.08);
                    signal = Add(Harmonics(n, rate, f0, rise, [1, 0.15], r), BandWhite(n, rate, 1000, 6000, r), 12);
                    break;
                }
            case "drill":
                signal = Add(Harmonics(n, rate, U(900, 2500), 0.01, [1, 0.5, 0.3], r), BandWhite(n, rate, 500, 7000, r), U(5, 10));
                break;
            case "chainsaw":
                signal = Harmonics(n, rate, U(100, 160), U(0.03, 0.08), Rolloff(30, 0.4), r);
                Buzz(signal, 0.5);
                signal = Add(signal, BandWhite(n, rate, 500, 7000, r), 8);
                break;
            case "jackhammer":
                signal = BandWhite(n, rate, 60, 400, r);
                Normalize(signal, 0.02);
                Impulses(signal, rate, U(15, 25), 0.05, U(8, 15), 100, 6000, r);
                break;
            case "circular_saw":
                signal = Add(Harmonics(n, rate, U(2000, 4000), 0.01, [1, 0.2], r), BandWhite(n, rate, 1000, 7500, r), U(3, 8));
                break;
            case "hammering":
                signal = r.Pink(n);
                Normalize(signal, 0.01);
                Impulses(signal, rate, U(1.5, 3.5), 0.2, U(40, 120), U(400, 1500), U(2000, 4000), r, ring: 1);
                break;
            case "conveyor":
                signal = BandWhite(n, rate, 40, 1500, r);
                Impulses(signal, rate, U(5, 10), 0.02, 4, 1000, 6000, r, amplitude: 2);
                break;
            case "industrial_fan":
                signal = Add(BandWhite(n, rate, 30, U(600, 1200), r), Harmonics(n, rate, U(20, 60), 0.005, [1, 0.6, 0.4, 0.2], r), 0);
                break;
            case "welding":
                signal = BandWhite(n, rate, 2000, 7500, r);
                Normalize(signal, 0.05);
                Impulses(signal, rate, U(40, 120), 1, 1.5, 500, 7500, r, amplitude: 4);
                break;
            case "air_compressor":
                signal = Harmonics(n, rate, U(15, 30), 0.01, Rolloff(40, 0.5), r);
                signal = Add(signal, BandWhite(n, rate, 200, 3000, r), 6);
                Modulate(signal, rate, U(8, 15), 0.5);
                break;
            case "traffic": signal = EmergencySounds.Background("traffic", rate, seconds, r); break;
            case "train":
                signal = Add(Brown(n, rate, r), BandWhite(n, rate, 200, 3000, r), 8);
                {
                    var clacks = new float[n];
                    var period = U(0.5, 1.2);
                    Impulses(clacks, rate, 1 / period, 0.05, 20, 100, 2000, r);
                    Impulses(clacks, rate, 1 / period, 0.05, 20, 100, 2000, r);
                    signal = Add(signal, clacks, -3);
                }
                break;
            case "aircraft_cabin":
                signal = Add(BandWhite(n, rate, 80, U(1500, 3000), r), Harmonics(n, rate, U(80, 200), 0.001, [1, 0.3], r), U(15, 25));
                break;
            case "car_interior":
                signal = Add(Brown(n, rate, r), BandWhite(n, rate, 100, 500, r), 6);
                signal = Add(signal, Harmonics(n, rate, U(25, 60), 0.05, [1, 0.4], r), U(8, 15));
                break;
            case "subway":
                signal = Add(Brown(n, rate, r), Harmonics(n, rate, U(2500, 5000), 0.02, [1, 0.3], r), U(6, 15));
                ModulateRandom(signal, rate, 1, 0.6, r);
                break;
            case "motorcycle":
                {
                    var f0 = U(50, 90);
                    var rev = U(0.1, 0.3);
                    signal = Harmonics(n, rate, f0, rev, Rolloff(20, 0.6), r);
                    Buzz(signal, 0.7);
                    signal = Add(signal, BandWhite(n, rate, 100, 3000, r), 12);
                    break;
                }
            case "helicopter":
                signal = BandWhite(n, rate, 40, 2000, r);
                Normalize(signal, 0.02);
                Impulses(signal, rate, U(15, 25), 0.01, 12, 40, 800, r);
                break;
            case "bus":
                signal = Add(Harmonics(n, rate, U(15, 30), 0.05, Rolloff(15, 0.6), r), Brown(n, rate, r), 0);
                signal = Add(signal, BandWhite(n, rate, 300, 3000, r), 12);
                break;
            case "babble": signal = BabbleSource.Render(n, rate, 4 + (int)U(0, 6), r); break;
            case "speech": signal = BabbleSource.Render(n, rate, 1, r); break;
            case "children_playing":
                {
                    // a few talkers with voices ~1.5× higher (rendered at a lower rate, played at this one), and shouts
                    var shift = U(1.4, 1.8);
                    signal = BabbleSource.Render(n, (int)(rate / shift), 2 + (int)U(0, 4), r);
                    Modulate(signal, rate, U(0.3, 1.0), 0.6, U(0, 6));
                    break;
                }
            case "gun_shot":
                // one or two cracks: a broadband burst with a 20–80 ms decay, then a room's tail
                signal = r.Pink(n);
                Normalize(signal, 0.003);
                Impulses(signal, rate, U(0.4, 1.2), 0.5, U(20, 80), 200, 7000, r, amplitude: 3);
                signal = Room(signal, rate, U(0.3, 1.2), U(0.2, 0.5), r);
                break;
            case "footsteps":
                signal = r.Pink(n);
                Normalize(signal, 0.005);
                Impulses(signal, rate, U(1.5, 2.5), 0.1, 25, 60, 1200, r);
                break;
            case "keyboard_typing":
                signal = r.Pink(n);
                Normalize(signal, 0.005);
                Impulses(signal, rate, U(4, 10), 1, 3, 2000, 7000, r);
                break;
            case "applause":
                signal = new float[n];
                Impulses(signal, rate, U(30, 80), 1, 6, 800, 6000, r);
                break;
            case "music": signal = EmergencySounds.Create("music", rate, seconds, r); break;
            case "doorbell": signal = EmergencySounds.Create("doorbell", rate, seconds, r); break;
            case "alarm_clock":
                signal = new float[n];
                Beeps(signal, rate, [U(800, 2000)], 0.07, 0.07, 4, 1.0, U(0, 0.5));
                break;
            case "phone_ring":
                {
                    signal = new float[n];
                    var f1 = U(400, 1000);
                    Beeps(signal, rate, [f1, f1 * U(1.08, 1.25)], 2.0, 0, 1, 4 + U(0, 2), U(0, 1));
                    Modulate(signal, rate, 20, 0.8);
                    break;
                }
            case "dog_bark":
                {
                    signal = new float[n];
                    var f0 = U(300, 600);
                    var bark = Harmonics(n, rate, f0, 0.1, [1, 0.8, 0.6, 0.4, 0.3], r);
                    var noise = BandWhite(n, rate, 500, 4000, r);
                    var t = U(0, 0.4);
                    while (t < seconds)
                    {
                        var length = U(0.1, 0.25);
                        for (var i = (int)(t * rate); i < Math.Min(n, (int)((t + length) * rate)); i++)
                        {
                            var x = (i / (double)rate - t) / length;
                            signal[i] = (float)(Math.Sin(Math.PI * x) * (bark[i] + 0.3 * noise[i]));
                        }
                        t += length + U(0.2, 0.8);
                    }
                    signal = Add(signal, r.Pink(n), 30);
                    break;
                }
            case "clock_tick":
                signal = r.Pink(n);
                Normalize(signal, 0.0005);
                Impulses(signal, rate, 1, 0.0, 2, 2000, 6000, r, ring: 1);
                break;
            case "wind":
                signal = BandWhite(n, rate, 20, U(300, 800), r);
                ModulateRandom(signal, rate, U(0.5, 2), 0.9, r);
                break;
            case "rain":
                signal = BandWhite(n, rate, 500, 7000, r);
                Normalize(signal, 0.02);
                Impulses(signal, rate, U(100, 300), 1, 2, 1000, 7000, r);
                break;
            case "thunder":
                signal = Brown(n, rate, r);
                ModulateRandom(signal, rate, U(1, 3), 0.9, r);
                Impulses(signal, rate, U(0.5, 1.5), 1, 200, 30, 300, r, amplitude: 3);
                break;
            case "ocean_waves":
                signal = BandWhite(n, rate, 100, U(2000, 5000), r);
                Modulate(signal, rate, U(0.1, 0.25), 0.85, 2 * Math.PI * r.NextUniform());
                break;
            case "running_water":
                signal = BandWhite(n, rate, U(300, 800), U(3000, 6000), r);
                ModulateRandom(signal, rate, 40, 0.5, r);
                Impulses(signal, rate, U(20, 60), 1, 8, 500, 3000, r, ring: 1, amplitude: 0.5);
                break;
            case "birdsong":
                signal = r.Pink(n);
                Normalize(signal, 0.002);
                Chirps(signal, rate, U(3, 8), U(0.05, 0.15), U(2000, 4000), U(3000, 6500), r);
                break;
            case "crickets":
                {
                    signal = new float[n];
                    var hz = U(4000, 5000);
                    Beeps(signal, rate, [hz], 0.015, 0.015, (int)U(3, 6), U(0.3, 0.6), U(0, 0.3));
                    signal = Add(signal, r.Pink(n), 25);
                    break;
                }
            case "frogs":
                {
                    signal = new float[n];
                    var croak = Harmonics(n, rate, U(150, 400), 0.05, [1, 0.7, 0.5, 0.3], r);
                    Modulate(croak, rate, U(20, 40), 1);
                    double period = U(0.6, 1.0), on = U(0.15, 0.3), start = U(0, 0.3);
                    for (var i = 0; i < n; i++) signal[i] = (double)i / rate - start is var t && t >= 0 && t % period < on ? croak[i] : 0;
                    signal = Add(signal, r.Pink(n), 25);
                    break;
                }
            case "smoke_alarm" or "co_alarm":
                // piezo sounders are nearly square waves: strong odd harmonics, varying from unit to unit
                signal = EmergencySounds.Create(label, rate, seconds, r);
                Buzz(signal, U(0.2, 1.0));
                break;
            case "siren" or "car_horn":
                signal = EmergencySounds.Create(label, rate, seconds, r);
                break;
            case "glass_break":
                // one pane after another, 1–2 s apart, so that every window of a clip holds a crash or its shower
                signal = new float[n];
                for (var t = U(0.05, 0.3); t < seconds - 0.2; t += U(1.0, 2.0)) ImpactSource.AddGlassBreak(signal, t * rate, rate, r);
                break;
            default: throw new ArgumentException($"No generator for category '{label}'.");
        }
        return Normalize(signal, 0.1);
    }

    /// <summary>Backgrounds a training clip may be mixed into, at 10–30 dB below it.</summary>
    public static readonly string[] Backgrounds = ["pink_noise", "babble", "traffic", "hvac"];
}
