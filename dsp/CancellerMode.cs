namespace AncOrleans.Dsp;

/// <summary>What the session sends back.</summary>
public enum CancellerMode
{
    /// <summary>y(n) for the device speaker, adapted through the secondary path Ŝ(z) (FxLMS family).</summary>
    AntiNoise,

    /// <summary>The cleaned signal d(n) − ŷ(n) (Widrow's adaptive noise canceller).</summary>
    Clean,

    /// <summary>
    /// The device runs the control filter on its own reference mic with no network in the audio path; the cloud
    /// adapts it and sends coefficient sets (<see cref="EdgeCanceller"/>, <see cref="EdgeFilter"/>). Not an
    /// <see cref="AncProcessor"/> mode.
    /// </summary>
    Edge,
}
