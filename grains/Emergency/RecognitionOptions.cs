namespace AncOrleans.Grains.Emergency;

/// <summary>Configuration section <c>Recognition</c>: where the emergency grains' analysis runs (<see cref="RecognitionLane"/>).</summary>
public sealed class RecognitionOptions
{
    public const string Section = "Recognition";

    /// <summary>
    /// The lane's nice value, 1–19 (higher: more deference to the frames); 0 turns the lane off and recognition runs in
    /// the emergency grain's turn on the thread pool, beside the frames.
    /// </summary>
    public int Nice { get; set; } = 10;

    /// <summary>The longest a batch's analysis waits for a free core before the lane's keeper runs it at normal priority.</summary>
    public int MaxDeferMs { get; set; } = 100;

    /// <summary>Worker threads; 0: one per core (each takes only what the frames leave).</summary>
    public int Threads { get; set; }

    public int ResolvedThreads => Threads > 0 ? Threads : Environment.ProcessorCount;
}
