namespace AncOrleans.Grains.Recordings;

/// <summary>A finished chunk of a recording: d̂ and the residual, as 16-bit PCM, <see cref="Samples"/> of each.</summary>
public sealed record RecordedChunk(string DeviceId, string Session, int Index, int SampleRate, short[] Noise, short[] Residual, int Samples);
