using AncOrleans.Abstractions.Protocol;

namespace AncOrleans.Abstractions;

/// <summary>
/// The reply to an <see cref="AudioFrame"/>: the anti-noise to play from <see cref="PlayoutTimestampUs"/>
/// (antinoise mode: the frame's timestamp + D) or the cleaned signal (clean mode), mono in the frame's format.
/// <see cref="Message"/> is already the device protocol's binary frame (header and PCM, <see cref="WireFrame"/>):
/// the session writes it once and the gateway sends it as it is. A rejected frame carries no message and says
/// why in <see cref="Error"/>; the session stays healthy. <see cref="Alert"/> carries an emergency alert (raised
/// or cleared) once, with the first reply after it; <see cref="Classification"/> likewise a change of the
/// classifier's verdict.
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.AntiNoiseFrame")]
public sealed record AntiNoiseFrame(
    [property: Id(0)] long Sequence,
    [property: Id(1)] long PlayoutTimestampUs,
    [property: Id(2)] SampleFormat Format,
    [property: Id(3)] byte[] Message,
    [property: Id(4)] string? Error = null,
    [property: Id(5)] EmergencyAlert? Alert = null,
    [property: Id(6)] NoiseClassification? Classification = null)
{
    public bool Accepted => Error is null;

    /// <summary>The mono PCM inside <see cref="Message"/>.</summary>
    public ReadOnlyMemory<byte> Pcm => Message.Length <= WireFrame.HeaderSize ? default : Message.AsMemory(WireFrame.HeaderSize);

    public static AntiNoiseFrame Rejected(long sequence, string reason) => new(sequence, 0, SampleFormat.Float32, [], reason);
}
