using Spectre.Console;

namespace AncOrleans.Cli.Progress;

/// <summary>
/// A progress bar for long work (Spectre.Console), shown only when stdout is a terminal and the output is not JSON:
/// piped or JSON output stays exactly as it was. The bar is cleared when the work ends.
/// </summary>
internal static class CliProgress
{
    /// <summary>Whether to show a bar: stdout is an interactive terminal and the command is not writing JSON.</summary>
    public static bool Shown(bool json) => !json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="work"/> with a bar of <paramref name="total"/> steps; the work calls the action it is given
    /// once per step done (from any thread). Without a bar the action does nothing.
    /// </summary>
    public static T Run<T>(bool show, string title, double total, Func<Action, T> work)
    {
        if (!show) return work(() => { });
        T result = default!;
        Display().Start(context =>
        {
            var task = context.AddTask(title, maxValue: Math.Max(1, total));
            result = work(() => task.Increment(1));
        });
        return result;
    }

    /// <summary>As <see cref="Run{T}"/>, for work that reports where it is (a value up to <paramref name="total"/>) and a step name.</summary>
    public static T Run<T>(bool show, string title, double total, Func<Action<double, string>, T> work)
    {
        if (!show) return work((_, _) => { });
        T result = default!;
        Display().Start(context =>
        {
            var task = context.AddTask(title, maxValue: Math.Max(1, total));
            result = work((value, step) =>
            {
                task.Value = value;
                task.Description = $"{title}: {step}";
            });
        });
        return result;
    }

    /// <summary>Async work that reports where it is (a value up to <paramref name="total"/>).</summary>
    public static async Task RunAsync(bool show, string title, double total, Func<Action<double>, Task> work)
    {
        if (!show)
        {
            await work(_ => { });
            return;
        }
        await Display().StartAsync(async context =>
        {
            var task = context.AddTask(title, maxValue: Math.Max(1, total));
            await work(value => task.Value = Math.Min(value, total));
        });
    }

    private static Spectre.Console.Progress Display() => AnsiConsole.Progress().AutoClear(true).HideCompleted(true)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn());
}
