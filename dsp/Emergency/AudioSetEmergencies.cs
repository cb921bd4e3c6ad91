namespace AncOrleans.Dsp.Emergency;

/// <summary>
/// Which of a pretrained AudioSet tagger's classes (<see cref="Classification.YamNet"/>; the order of YAMNet's
/// yamnet_class_map.csv, AudioSet ontology ids in brackets) are evidence of our emergencies:
/// <code>
///   siren     316 Emergency vehicle (/m/03j1ly), 317 Police car (siren) (/m/04qvtq), 318 Ambulance (siren) (/m/012n7d),
///             319 Fire engine, fire truck (siren) (/m/012ndj), 390 Siren (/m/03kmc9), 391 Civil defense siren (/m/0dgbq)
///   car_horn  302 Vehicle horn, car horn, honking (/m/0912c9), 303 Toot (/m/07qv_d5), 312 Air horn, truck horn (/m/05x_td)
/// </code>
/// A kind's score is the largest of its classes' scores (each an independent logistic output). Smoke and CO alarms
/// and glass breaks stay with the DSP patterns (AudioSet's "Smoke detector" also fires on phones and beeps).
/// </summary>
public static class AudioSetEmergencies
{
    public static readonly int[] Siren = [316, 317, 318, 319, 390, 391];
    public static readonly int[] CarHorn = [302, 303, 312];

    public static float Score(ReadOnlySpan<float> scores, int[] classes)
    {
        var best = 0f;
        foreach (var c in classes)
            if (c < scores.Length && scores[c] > best) best = scores[c];
        return best;
    }
}
