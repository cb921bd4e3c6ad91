using AncOrleans.Acoustics.Evaluation;

namespace AncOrleans.Cli.Sim;

/// <summary>What one device measured: reduction over the last 25 % of what it streamed, round trips, frame counts.</summary>
internal sealed record SimReport(string Device, double ReductionDb, double LatencyP50Ms, double LatencyP95Ms, double LatencyP99Ms,
    int FramesSent, int FramesAnswered, int FramesLate, int FramesLost, string? Noise = null, int Alerts = 0)
{
    public static SimReport From(SimDevice device)
    {
        var streamed = device.Position;
        var from = (int)(streamed * ReductionMeter.SteadyFraction);
        var reduction = ReductionMeter.Db(device.Scene.Disturbance.AsSpan(from, streamed - from), device.Ear.AsSpan(from, streamed - from));
        var trips = device.RoundTripsMs.Order().ToArray();
        return new SimReport(device.DeviceId, reduction, Percentile(trips, 0.50), Percentile(trips, 0.95), Percentile(trips, 0.99),
            device.Sent, device.Answered, device.Late, device.Sent - device.Answered - device.Late, device.Noise, device.Alerts);
    }

    /// <summary>Nearest-rank percentile of an ascending array (NaN when empty).</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
