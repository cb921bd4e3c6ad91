using Orleans.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace AncOrleans.Grains.Sessions;

public static class SessionServices
{
    /// <summary>
    /// The silo's registry of session activations, the shutdown step that migrates them (<see cref="SessionEvacuation"/>)
    /// and the start-up step that warms their frame path (<see cref="SiloWarmup"/>).
    /// </summary>
    public static IServiceCollection AddAncSessionLifecycle(this IServiceCollection services)
    {
        services.AddSingleton<LocalSessions>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SessionEvacuation>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SiloWarmup>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MigrationWarmup>();
        return services;
    }

    /// <summary>Session grains register in the grain directory named <paramref name="directory"/> (added by the caller).</summary>
    public static IServiceCollection AddAncSessionDirectory(this IServiceCollection services, string directory) =>
        services.AddSingleton<IGrainPropertiesProvider>(new SessionDirectoryProperty(directory));
}
