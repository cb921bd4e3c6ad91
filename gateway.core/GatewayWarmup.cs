using AncOrleans.Abstractions;
using AncOrleans.Abstractions.Protocol;

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
            // Two harmonics heard through a short delay: tonal, so the hybrid's tracker and RLS branch run too.
            const int rate = 48_000, frame = 480, frames = 100;
            var session = grains.GetGrain<ISessionGrain>("warmup-" + Guid.NewGuid().ToString("N"));
            await session.ConfigureAsync(new SessionConfig(SampleRate: rate, FrameSamples: frame));
            var reference = new float[frame];
            var error = new float[frame];
            for (var f = 0; f < frames && !stoppingToken.IsCancellationRequested; f++)
            {
                for (var i = 0; i < frame; i++)
                {
                    reference[i] = Hum(f * frame + i);
                    error[i] = 0.8f * Hum(f * frame + i - 24);
                }
                var pcm = FrameCodec.EncodeStereo(reference, error, SampleFormat.Int16);
                await session.ProcessAsync(new AudioFrame(f, f * 10_000L, rate, SampleFormat.Int16, frame, pcm));
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

    private static float Hum(int n) => 0.3f * MathF.Sin(2 * MathF.PI * 100 * n / 48_000f) + 0.1f * MathF.Sin(2 * MathF.PI * 300 * n / 48_000f);
}
