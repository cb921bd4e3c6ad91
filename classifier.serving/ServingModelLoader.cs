using System.Diagnostics;
using AncOrleans.Dsp.Classification;
using Microsoft.Extensions.Options;

namespace AncOrleans.Classifier.Serving;

/// <summary>
/// Loads the model off the start-up path, so <c>/ping</c> can answer 503 while it loads (SageMaker keeps pinging until
/// 200). A model that cannot be loaded stops the host with exit code 1 and the reason in the log: SageMaker then
/// reports the endpoint as failed instead of waiting on a container that will never be ready.
/// </summary>
public sealed class ServingModelLoader(ServingModel model, IOptions<ServingOptions> options, IHostApplicationLifetime lifetime,
    ILogger<ServingModelLoader> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(Load, stoppingToken);

    private void Load()
    {
        var source = options.Value.ResolveModel();
        try
        {
            var started = Stopwatch.GetTimestamp();
            var loaded = NoiseClassifierModel.Load(source.Path);
            loaded.Predict(new float[NoiseFeatures.Length]); // warm-up: JIT and the engine's first-call set-up
            model.Set(loaded, source);
            logger.LogInformation("Serving the noise classifier {Path} (chosen by {ChosenBy}; {Labels} labels), ready in {Ms:0} ms",
                source.Path, source.ChosenBy, loaded.Labels.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Cannot load the noise classifier {Path} (chosen by {ChosenBy}); stopping", source.Path, source.ChosenBy);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
