using System.Diagnostics;
using AncOrleans.Abstractions;
using AncOrleans.Gateway.Devices;

namespace AncOrleans.Tests;

/// <summary>
/// A <see cref="ClosedLoopDevice"/> in real time: one frame every 10 ms of wall time, each reply awaited before the
/// next frame (as the gateway's process loop handles a device), and a frame whose call failed because the
/// session's silo died sent again (<see cref="SiloLossRetry"/>) until answered or <c>resendBudget</c> runs out
/// (then it is lost and its slot plays silence). While a frame waits, the device's clock stands still: later
/// frames are delayed, not skipped. Records when each frame was sent and answered.
/// </summary>
internal sealed class PacedDevice(string sessionId, ISessionGrain grain, ClosedLoopDevice loop, TimeSpan resendBudget)
{
    /// <summary>One frame: first send and answer (0: never answered) in <see cref="Stopwatch"/> ticks; sends it took.</summary>
    public readonly record struct Frame(long Sequence, int Position, long Sent, long Answered, int Sends);

    public string SessionId => sessionId;

    public ISessionGrain Grain => grain;

    public ClosedLoopDevice Loop => loop;

    public List<Frame> Frames { get; } = [];

    /// <summary>Failed sends by exception type.</summary>
    public Dictionary<string, int> Failures { get; } = [];

    /// <summary>Where to stop streaming (a sample position); the end of the scene unless set.</summary>
    public int StopAt
    {
        get => Volatile.Read(ref _stopAt);
        set => Volatile.Write(ref _stopAt, value);
    }

    private int _stopAt = int.MaxValue;

    /// <summary>True once the device has streamed up to <see cref="StopAt"/> or the end of its scene.</summary>
    public bool Done => loop.Finished || loop.Position >= StopAt;

    public async Task RunAsync(CancellationToken cancel)
    {
        var period = Stopwatch.Frequency / 100;
        var next = Stopwatch.GetTimestamp();
        while (!Done)
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel);
            await loop.StepAsync(frame => SendAsync(frame, cancel));
            next = Math.Max(next + period, Stopwatch.GetTimestamp() - period / 2);
        }
    }

    private async Task<AntiNoiseFrame?> SendAsync(AudioFrame frame, CancellationToken cancel)
    {
        var position = loop.Position;
        var sent = Stopwatch.GetTimestamp();
        var sends = 0;
        try
        {
            var (reply, _) = await SiloLossRetry.CallAsync(async () =>
            {
                sends++;
                try
                {
                    return await grain.ProcessAsync(frame);
                }
                catch (Exception e)
                {
                    Failures[e.GetType().Name] = Failures.GetValueOrDefault(e.GetType().Name) + 1;
                    throw;
                }
            }, resendBudget, TimeSpan.FromMilliseconds(20), cancel);
            Frames.Add(new Frame(frame.Sequence, position, sent, Stopwatch.GetTimestamp(), sends));
            return reply;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Frames.Add(new Frame(frame.Sequence, position, sent, 0, sends));
            return null;
        }
    }
}
