using System.Diagnostics;
using AncOrleans.Abstractions.Protocol;
using AncOrleans.Acoustics.Scenes;
using AncOrleans.Device;
using AncOrleans.Dsp;

namespace AncOrleans.Cli.Sim;

/// <summary>
/// One simulated device in edge mode, through the device library (<see cref="EdgeDevice"/>): it plays the scene in
/// real time, filters the reference with the set it holds at zero latency (the ear hears d + S*y), uploads (x, e)
/// in batches tagged with the applied version, and applies the sets the cloud sends. Nothing waits for a reply.
/// </summary>
internal sealed class SimEdgeDevice(string deviceId, AcousticScene scene, int batchSamples, double updateMs, double dutyCycle)
{
    private const int Block = 480; // the device's audio callback: 10 ms
    private readonly EdgeDevice _device = new(scene.SampleRate, 512, batchSamples);
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _errors;

    public string DeviceId => deviceId;
    public AcousticScene Scene => scene;
    public float[] Ear { get; } = new float[scene.Length];
    public int Position { get; private set; }
    public EdgeDevice Device => _device;
    public int Errors => _errors;
    public double Seconds { get; private set; }

    public async Task RunAsync(DeviceLink link, double seconds, CancellationToken cancel)
    {
        link.Received = (message, text) =>
        {
            if (_device.OnMessage(message.Span, text)) return;
            if (!text) return;
            ControlMessage.TryParse(message.Span, out var control, out _);
            if (control?.Type == "started") _started.TrySetResult();
            if (control?.Type == "error") Interlocked.Increment(ref _errors);
        };
        await link.SendTextAsync(_device.Start(scene.SecondaryPath, updateMs, dutyCycle).ToUtf8(), cancel);
        await Task.WhenAny(_started.Task, Task.Delay(TimeSpan.FromSeconds(10), cancel));
        if (!_started.Task.IsCompleted) throw new InvalidOperationException($"{deviceId}: the gateway did not answer the start message.");

        var secondary = new FirFilter(scene.SecondaryPath);
        var y = new float[Block];
        var heard = new float[Block];
        var scratch = new float[Block + scene.SecondaryPath.Length];
        var blockTicks = Stopwatch.Frequency * Block / scene.SampleRate;
        var end = Math.Min(scene.Length, (int)(seconds * scene.SampleRate)) / batchSamples * batchSamples;
        var origin = Stopwatch.GetTimestamp();
        for (long k = 0; Position < end; k++)
        {
            var due = origin + k * blockTicks;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel);
            var timeUs = (long)Position * 1_000_000 / scene.SampleRate;
            var x = scene.Reference.AsSpan(Position, Block);
            _device.Filter(x, y, timeUs);
            secondary.ProcessBlock(y, heard, scratch);
            for (var i = 0; i < Block; i++) Ear[Position + i] = scene.Disturbance[Position + i] + heard[i];
            var frame = _device.Record(x, Ear.AsSpan(Position, Block), timeUs);
            Position += Block;
            if (frame is not null) await link.SendBinaryAsync(frame, cancel);
            foreach (var report in _device.TakeReports()) await link.SendTextAsync(report, cancel);
        }
        Seconds = (double)Position / scene.SampleRate;
        await Task.Delay(200, cancel); // the last sets in flight
    }
}
