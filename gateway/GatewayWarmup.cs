using AncOrleans.Abstractions;
using AncOrleans.Dsp.Acoustics;
using AncOrleans.Grains.Sessions;

namespace AncOrleans.Gateway;

/// <summary>
/// At start-up, streams one second of a bench scene through a throw-away session, so the first real devices
/// do not pay for JIT compilation and first activations (on a cold gateway the first ~100 ms of frames
/// missed their deadline). Readiness (<c>/readyz</c>) waits for it.
/// </summary>
public sealed class GatewayWarmup(IGrainFactory grains, ILogger<GatewayWarmup> logger) : BackgroundService
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completed => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var scene = Scenarios.Create("hum", 48_000, 1, 20);
            var session = grains.GetGrain<ISessionGrain>("warmup-" + Guid.NewGuid().ToString("N"));
            await session.ConfigureAsync(new SessionConfig(SecondaryPath: scene.SecondaryPath));
            for (var start = 0; start + 480 <= scene.Length && !stoppingToken.IsCancellationRequested; start += 480)
            {
                var pcm = FrameCodec.EncodeStereo(scene.Reference.AsSpan(start, 480), scene.Disturbance.AsSpan(start, 480), SampleFormat.Int16);
                await session.ProcessAsync(new AudioFrame(start / 480, 0, 48_000, SampleFormat.Int16, 480, pcm));
            }
            await session.EndAsync();
            logger.LogInformation("Warm-up done");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Warm-up failed; the first frames may miss their deadline");
        }
        finally
        {
            _done.TrySetResult();
        }
    }
}
