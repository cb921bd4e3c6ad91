using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AncOrleans.Hosting;

/// <summary>Runs a gateway or silo host so that a stop (SIGTERM) during start-up is a clean exit, not a crash.</summary>
public static class HostRunExtensions
{
    /// <summary>
    /// <see cref="HostingAbstractionsHostExtensions.RunAsync"/>, except that when SIGTERM arrives while Orleans is still
    /// starting (an ECS task stopped during a deployment, a scale-in right after a scale-out), the canceled start is
    /// not rethrown: the host has stopped as asked, and the process exits 0 rather than aborting (exit 134).
    /// </summary>
    public static async Task RunUntilStoppedAsync(this IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            await host.RunAsync();
        }
        catch (Exception e) when (lifetime.ApplicationStopping.IsCancellationRequested && e is OperationCanceledException or OrleansLifecycleCanceledException)
        {
            Console.Error.WriteLine($"Stopped while starting ({e.GetType().Name}): exiting cleanly.");
        }
    }
}
