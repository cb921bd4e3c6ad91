namespace AncOrleans.Dsp.Classification;

/// <summary>
/// Runs every task it is given at once, on the calling thread, and tells <see cref="Parallel"/> it allows one at a time.
/// <para>
/// Why: ML.NET's one-versus-all model (the LightGBM classifier's 10 binary predictors) scores its classes with
/// <c>Parallel.For</c>, which fans out to the thread pool under the default scheduler. Once a second per session that is
/// a wake-up of other threads and work the session's own thread does not see: in the bench, recognition used
/// 2.17 ms of its thread's CPU per audio second and 2.60 ms of the process's (docs/measurements/benchmarks.md,
/// "Seventh session"). <c>Parallel.For</c> takes its concurrency from the current scheduler's
/// <see cref="MaximumConcurrencyLevel"/>; under this one (1) it runs every iteration on the calling thread, in order.
/// The scores are the same numbers (each class is scored alone). It still queues one task to the thread pool and waits
/// for it (measured 2026-12-01): a pool thread runs that task itself, any other thread needs a free pool thread, so
/// <see cref="NoiseClassifierModel.Predict(float[])"/> moves callers off the pool onto it.
/// </para>
/// </summary>
internal sealed class SerialTaskScheduler : TaskScheduler
{
    public static readonly SerialTaskScheduler Instance = new();

    public override int MaximumConcurrencyLevel => 1;

    /// <summary>Runs <paramref name="work"/> with this scheduler as <see cref="TaskScheduler.Current"/>, on this thread.</summary>
    public static T Run<T>(Func<T> work)
    {
        var task = new Task<T>(work);
        task.RunSynchronously(Instance);
        return task.GetAwaiter().GetResult();
    }

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
