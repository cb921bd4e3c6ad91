namespace AncOrleans.Abstractions;

/// <summary>
/// What a session sends its listeners (the emergency and classifier grains, key = session id): the reference mic
/// of consecutive accepted frames as one block of mono int16 PCM, at least <c>Session:FeatureBatchMs</c> (100 ms)
/// of audio per batch, so a session makes one call per listener per batch rather than stream messages per frame.
/// Nothing keeps a batch once its listener has consumed it (docs/architecture.md, "features").
/// </summary>
[GenerateSerializer, Immutable, Alias("anc.FeatureBatch")]
public sealed record FeatureBatch(
    [property: Id(0)] string SessionId,
    [property: Id(1)] long FirstSequence,
    [property: Id(2)] long LastSequence,
    [property: Id(3)] int Frames,
    [property: Id(4)] int SampleRate,
    [property: Id(5)] float ReductionDbShortTerm,
    [property: Id(6)] byte[] ReferencePcm16)
{
    /// <summary>Samples in the batch (mono).</summary>
    public int SampleCount => ReferencePcm16.Length / 2;

    /// <summary>Seconds of audio in the batch.</summary>
    public double Seconds => SampleRate > 0 ? (double)SampleCount / SampleRate : 0;
}

/// <summary>The emergency detector of one session (key = session id); fed by the session with <see cref="FeatureBatch"/>es.</summary>
public interface IEmergencyGrain : IGrainWithStringKey
{
    /// <summary>Runs the detector on the batch; a detection or its end is raised on the session before this returns.</summary>
    Task PushAsync(FeatureBatch batch);
}

/// <summary>The noise classifier of one session (key = session id); fed by the session with <see cref="FeatureBatch"/>es.</summary>
public interface IClassifierGrain : IGrainWithStringKey
{
    /// <summary>Adds the batch to the classifier's window; a changed verdict goes to the session before this returns.</summary>
    Task PushAsync(FeatureBatch batch);

    /// <summary>The <paramref name="count"/> most likely categories now (smoothed probabilities, highest first); empty before the first window.</summary>
    Task<ClassScore[]> GetTopClassesAsync(int count);
}
