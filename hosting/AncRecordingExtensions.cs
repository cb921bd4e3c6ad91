using AncOrleans.Abstractions.Recordings;
using AncOrleans.Aws.S3;
using AncOrleans.Grains.Recordings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AncOrleans.Hosting;

/// <summary>The recording store chosen by <see cref="RecordingOptions"/>: the file system (default) or S3.</summary>
public static class AncRecordingExtensions
{
    public static IServiceCollection AddAncRecordingStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<RecordingOptions, RecordingOptionsValidator>(configuration.GetSection(RecordingOptions.Section));
        services.AddSingleton<IRecordingStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<RecordingOptions>>().Value;
            return options.UsesS3 ? new S3RecordingStore(options.S3) : new FileRecordingStore(options.Directory);
        });
        return services;
    }
}
