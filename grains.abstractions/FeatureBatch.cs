namespace AncOrleans.Abstractions;

/// <summary>
/// What a session sends its emergency grain (key = session id): the reference mic of consecutive accepted frames as
/// one block of mono int16 PCM, at least <c>Session:FeatureBatchMs</c> (100 ms) of audio per batch, so a session makes
/// one call per batch rather than stream messages per frame. The classifier grain gets no audio: the emergency grain
/// forwards it each window's features and probabilities (<see cref="ClassifierWindow"/>).
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

    /// <summary>
    /// Builds the detector for the session's sample rate ahead of its first batch (the session calls it when it is
    /// configured), so that building it — and this grain's activation — is not paid in the stream's first second.
    /// </summary>
    Task PrepareAsync(int sampleRate);
}

/// <summary>
/// One classifier window (≈ 1 s of a session's reference mic) as the session's emergency grain computed it for its own
/// fused decision, forwarded to the session's classifier grain so the features and the embedded model's prediction are
/// computed once per window per session (issue 13). A few hundred bytes, about one per second per session.
/// </summary>
/// <param name="SessionId">The session (the classifier grain's key).</param>
/// <param name="Seconds">Seconds of audio the emergency grain had received when the window was forwarded (the end of the batch that finished it).</param>
/// <param name="Features">The window's feature vector (<c>NoiseFeatures.Length</c> numbers).</param>
/// <param name="Probabilities">The embedded model's probabilities (CNN blend included) in <paramref name="Labels"/> order; null when the emergency grain has no model (its file is missing).</param>
/// <param name="Labels">The embedded model's labels; null with <paramref name="Probabilities"/>.</param>
[GenerateSerializer, Immutable, Alias("anc.ClassifierWindow")]
public sealed record ClassifierWindow(
    [property: Id(0)] string SessionId,
    [property: Id(1)] double Seconds,
    [property: Id(2)] float[] Features,
    [property: Id(3)] float[]? Probabilities,
    [property: Id(4)] string[]? Labels);

/// <summary>The noise classifier of one session (key = session id); fed by the session's emergency grain with <see cref="ClassifierWindow"/>s.</summary>
public interface IClassifierGrain : IGrainWithStringKey
{
    /// <summary>Classifies one window (the backend, then the hysteresis); a changed verdict goes to the session before this returns.</summary>
    Task PushAsync(ClassifierWindow window);

    /// <summary>The <paramref name="count"/> most likely categories now (smoothed probabilities, highest first); empty before the first window.</summary>
    Task<ClassScore[]> GetTopClassesAsync(int count);
}
