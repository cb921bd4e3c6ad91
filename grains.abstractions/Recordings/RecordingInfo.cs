namespace AncOrleans.Abstractions.Recordings;

/// <summary>
/// One recorded WAV: <see cref="Key"/> = <c>{deviceId}/{session}/{chunk:D5}-{track}.wav</c>, where session is the
/// recording's start (<c>yyyyMMddTHHmmssZ</c>) and track <c>noise</c> (d̂, the error mic as it would be without ANC)
/// or <c>residual</c> (what the ear heard).
/// </summary>
public sealed record RecordingInfo(string Key, string DeviceId, string Session, int Chunk, string Track, long Bytes, DateTime ModifiedUtc);
