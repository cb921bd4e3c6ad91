namespace AncOrleans.Abstractions;

/// <summary>
/// A session's live spectra for a viewer: the level in dB (re full scale) of the error mic as it would be without ANC
/// (d̂; clean mode: the primary mic) and of the residual (what the ear heard; clean mode: what was returned), bin b
/// covering [b·BinHz, (b+1)·BinHz). Computed only while someone watches (<see cref="ISessionGrain.WatchAsync"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.SessionSpectrum")]
public sealed record SessionSpectrum(
    [property: Id(0)] int SampleRate,
    [property: Id(1)] double BinHz,
    [property: Id(2)] float[] NoiseDb,
    [property: Id(3)] float[] ResidualDb,
    [property: Id(4)] long Snapshots);
